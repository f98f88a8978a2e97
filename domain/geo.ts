/** Distances and road-time estimates. Pure: every time comes in as an ISO 8601 string. */
import { hourOfDay, parseIsoInstant } from './time.js';

export interface LatLng {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/** Streets are longer than the straight line; 1.3 is the usual urban detour ratio. */
export const ROAD_FACTOR = 1.3;

/** Average courier speed in km/h for each local hour of the day; rush hours are the slow ones. */
export const SPEED_KMH_BY_HOUR: readonly number[] = [
  40, 42, 42, 42, 40, 36, 30, 20, 18, 24, 28, 28, // 00–11
  26, 26, 28, 26, 20, 18, 20, 26, 32, 36, 38, 40, // 12–23
];

/** Minutes added to every trip for parking and walking to the door. */
export const STOP_OVERHEAD_MINUTES = 4;

// Any 24-hour window crosses every hour of the profile once, whatever minute it starts at.
const KM_PER_DAY = SPEED_KMH_BY_HOUR.reduce((sum, speed) => sum + speed, 0);

export function isValidLatLng(value: unknown): value is LatLng {
  if (typeof value !== 'object' || value === null) return false;
  const { lat, lng } = value as Record<string, unknown>;
  return (
    typeof lat === 'number' &&
    typeof lng === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lng) <= 180
  );
}

/** Great-circle distance in km. */
export function haversineKm(a: LatLng, b: LatLng): number {
  const toRad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  // Rounding can push h a hair above 1 for antipodal points, where asin would return NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Estimated driving distance, rounded to 0.1 km so quotes and ETAs show the same figure. */
export function roadDistanceKm(a: LatLng, b: LatLng): number {
  return Math.round(haversineKm(a, b) * ROAD_FACTOR * 10) / 10;
}

export function speedKmhAt(at: string): number {
  return speedForHour(hourOfDay(at));
}

function speedForHour(hour: number): number {
  const speed = SPEED_KMH_BY_HOUR[hour];
  if (speed === undefined) throw new RangeError(`no speed for hour ${hour}`);
  return speed;
}

/**
 * Minutes to drive `distanceKm` leaving at `departAt`, following the speed profile across hour
 * boundaries, plus the stop overhead. A positive distance takes at least one minute of driving.
 */
export function travelMinutes(distanceKm: number, departAt: string): number {
  if (!Number.isFinite(distanceKm) || distanceKm < 0) {
    throw new RangeError(`distance must be a finite, non-negative number of km, got ${distanceKm}`);
  }
  const instant = parseIsoInstant(departAt);
  if (distanceKm === 0) return 0;
  const driving = drivingMinutes(distanceKm, instant.epochMs + instant.offsetMinutes * MS_PER_MINUTE);
  // The epsilon keeps float noise on a whole minute from adding a minute.
  return Math.max(1, Math.ceil(driving - 1e-9)) + STOP_OVERHEAD_MINUTES;
}

function drivingMinutes(distanceKm: number, wallMs: number): number {
  const fullDays = Math.floor(distanceKm / KM_PER_DAY);
  let remainingKm = Math.max(0, distanceKm - fullDays * KM_PER_DAY);
  let minutes = fullDays * 24 * 60;
  let clock = wallMs;
  for (;;) {
    const speed = speedForHour(new Date(clock).getUTCHours());
    const msLeftInHour = MS_PER_HOUR - (((clock % MS_PER_HOUR) + MS_PER_HOUR) % MS_PER_HOUR);
    const kmLeftInHour = (speed * msLeftInHour) / MS_PER_HOUR;
    if (remainingKm <= kmLeftInHour) return minutes + (remainingKm / speed) * 60;
    minutes += msLeftInHour / MS_PER_MINUTE;
    remainingKm -= kmLeftInHour;
    clock += msLeftInHour;
  }
}

/** When a driver leaving `from` at `departAt` should reach `to`, as an ISO string in UTC. */
export function estimateArrival(from: LatLng, to: LatLng, departAt: string): string {
  return arrivalAfter(roadDistanceKm(from, to), departAt);
}

/** When a trip of `distanceKm` (a router's road distance) leaving at `departAt` should arrive. */
export function arrivalAfter(distanceKm: number, departAt: string): string {
  const minutes = travelMinutes(distanceKm, departAt);
  return new Date(parseIsoInstant(departAt).epochMs + minutes * MS_PER_MINUTE).toISOString();
}

/**
 * The point `fraction` (clamped to 0–1) of the way from `a` to `b`. Linear in degrees: accurate
 * at city scale, which is where simulated drivers move.
 */
export function interpolate(a: LatLng, b: LatLng, fraction: number): LatLng {
  if (Number.isNaN(fraction)) throw new RangeError('fraction must be a number');
  const f = Math.min(1, Math.max(0, fraction));
  if (f === 0) return { lat: a.lat, lng: a.lng };
  if (f === 1) return { lat: b.lat, lng: b.lng };
  return { lat: a.lat * (1 - f) + b.lat * f, lng: a.lng * (1 - f) + b.lng * f };
}
