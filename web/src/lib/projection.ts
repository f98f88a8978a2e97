/**
 * Web Mercator for a small SVG map: fit points in a viewport, project them to pixels and list the
 * raster tiles behind them. No map library: the driver page must stay small.
 */
import type { LatLng } from '../../../domain/geo.js';

const TILE = 256;
const MAX_LAT = 85.05112878;

/** Position on the zoom-0 world square (0…256 on both axes). */
export function worldPoint(p: LatLng): { x: number; y: number } {
  const lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, p.lat));
  const sin = Math.sin((lat * Math.PI) / 180);
  return {
    x: ((p.lng + 180) / 360) * TILE,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * TILE,
  };
}

export interface Viewport {
  width: number;
  height: number;
  zoom: number;
  /** World point (zoom 0) at the centre of the viewport. */
  center: { x: number; y: number };
}

/** The highest zoom (within limits) at which every point fits with `padding` pixels to spare. */
export function fitViewport(points: LatLng[], width: number, height: number, options: { padding?: number; maxZoom?: number; minZoom?: number } = {}): Viewport {
  const { padding = 32, maxZoom = 16, minZoom = 1 } = options;
  if (points.length === 0) return { width, height, zoom: minZoom, center: { x: TILE / 2, y: TILE / 2 } };
  const world = points.map(worldPoint);
  const xs = world.map((p) => p.x);
  const ys = world.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((width - 2 * padding) / spanX, (height - 2 * padding) / spanY);
  const zoom = Math.max(minZoom, Math.min(maxZoom, Math.log2(Math.max(scale, 1e-9))));
  return { width, height, zoom, center: { x: (minX + maxX) / 2, y: (minY + maxY) / 2 } };
}

export function project(view: Viewport, p: LatLng): { x: number; y: number } {
  const w = worldPoint(p);
  const k = 2 ** view.zoom;
  return { x: (w.x - view.center.x) * k + view.width / 2, y: (w.y - view.center.y) * k + view.height / 2 };
}

/** The point under a pixel of the viewport (the inverse of `project`). */
export function unproject(view: Viewport, pixel: { x: number; y: number }): LatLng {
  const k = 2 ** view.zoom;
  const wx = (pixel.x - view.width / 2) / k + view.center.x;
  const wy = (pixel.y - view.height / 2) / k + view.center.y;
  const lng = (wx / TILE) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * wy) / TILE))) * 180) / Math.PI;
  return { lat, lng: ((((lng + 180) % 360) + 360) % 360) - 180 };
}

/** A viewport of a given size centred on a point at a zoom. */
export function viewAround(center: LatLng, zoom: number, width: number, height: number): Viewport {
  return { width, height, zoom, center: worldPoint(center) };
}

export interface TileImage {
  key: string;
  href: string;
  x: number;
  y: number;
  size: number;
}

/** The tiles covering the viewport at the nearest whole zoom, scaled to the fractional one. */
export function tilesFor(view: Viewport, template: string, maxZoom = 19): TileImage[] {
  const z = Math.max(0, Math.min(maxZoom, Math.round(view.zoom)));
  const size = TILE * 2 ** (view.zoom - z);
  const count = 2 ** z;
  const originX = view.center.x * 2 ** view.zoom - view.width / 2;
  const originY = view.center.y * 2 ** view.zoom - view.height / 2;
  const tiles: TileImage[] = [];
  for (let ty = Math.floor(originY / size); ty <= Math.floor((originY + view.height) / size); ty++) {
    if (ty < 0 || ty >= count) continue;
    for (let tx = Math.floor(originX / size); tx <= Math.floor((originX + view.width) / size); tx++) {
      const wrapped = ((tx % count) + count) % count;
      tiles.push({
        key: `${z}/${tx}/${ty}`,
        href: template
          .replace('{s}', 'abc'[(wrapped + ty) % 3]!)
          .replace('{z}', String(z))
          .replace('{x}', String(wrapped))
          .replace('{y}', String(ty)),
        x: tx * size - originX,
        y: ty * size - originY,
        size,
      });
    }
  }
  return tiles;
}

/** A round distance for the scale bar and its length in pixels at this view. */
export function scaleBar(view: Viewport, maxPixels = 120): { label: string; pixels: number } {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * view.center.y) / TILE))) * 180) / Math.PI;
  const metresPerPixel = (156_543.034 * Math.cos((lat * Math.PI) / 180)) / 2 ** view.zoom;
  const maxMetres = metresPerPixel * maxPixels;
  const steps = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];
  const metres = [...steps].reverse().find((s) => s <= maxMetres) ?? steps[0]!;
  return { label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, pixels: metres / metresPerPixel };
}
