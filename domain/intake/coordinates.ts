/** Coordinates: "52.52,13.40" becomes a token so its comma cannot split an address. */
import { isValidLatLng, type LatLng } from '../geo.js';
import { rewrite, type Scan } from './scan.js';

export interface FoundPoint extends LatLng {
  text: string;
}

const COORDINATES = /(?<![\d.])(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)(?![\d.])/g;
export const POINT_TOKEN = /⟦(\d+)⟧/g;

export function readCoordinates(scan: Scan): FoundPoint[] {
  const points: FoundPoint[] = [];
  rewrite(scan, COORDINATES, (m) => {
    const point = { lat: Number(m[1]), lng: Number(m[2]) };
    if (!isValidLatLng(point)) return null;
    points.push({ ...point, text: `${m[1]}, ${m[2]}` });
    return ` ⟦${points.length - 1}⟧ `;
  });
  return points;
}
