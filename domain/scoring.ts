/** Deterministic ranking of drivers for a dispatch job; the AI may only re-order what this returns. */
import { isValidLatLng, roadDistanceKm, type LatLng } from './geo.js';
import type { Priority } from './pricing.js';

export interface CandidateDriver {
  driverId: string;
  name: string;
  lat: number;
  lng: number;
  capacityKg: number;
  activeLoadKg: number;
  activeDeliveries: number;
  /** A router's way to the pickup; without it the straight-line estimate is used. */
  road?: { distanceKm: number; durationMin: number };
}

export interface DispatchJob {
  pickup: LatLng;
  weightKg: number;
  priority: Priority;
}

export interface RankedCandidate {
  driverId: string;
  name: string;
  score: number;
  distanceKm: number;
  /** Driving time to the pickup, when a router measured it. */
  travelMinutes?: number;
  /** True when `distanceKm` is the straight-line estimate. */
  estimated?: boolean;
}

export interface RankOptions {
  maxDistanceKm?: number;
  limit?: number;
}

export const SCORING = {
  /** Road distance at which the proximity term falls to half. */
  proximityHalfKm: 5,
  /** Driving time at which the proximity term falls to half, when a router gave one (5 km at city speed). */
  proximityHalfMinutes: 10,
  /** Each priority's weights sum to 1; the more urgent the job, the more distance counts. */
  weights: {
    standard: { proximity: 0.5, spareCapacity: 0.25, workload: 0.25 },
    express: { proximity: 0.65, spareCapacity: 0.15, workload: 0.2 },
    urgent: { proximity: 0.8, spareCapacity: 0.1, workload: 0.1 },
  },
  defaultMaxDistanceKm: 30,
  defaultLimit: 10,
} as const;

/**
 * A score from 0 to 100 (higher is better), or null when the driver cannot take the job: spare
 * capacity below the parcel's weight, or a record that is not a usable driver.
 */
export function scoreCandidate(driver: CandidateDriver, job: DispatchJob): number | null {
  return evaluate(driver, job)?.score ?? null;
}

/**
 * Drivers able to take the job within `maxDistanceKm` of the pickup, best first. Ties go to the
 * smaller driverId, so the same drivers always come back in the same order whatever order they came in.
 */
export function rankCandidates(
  drivers: readonly CandidateDriver[],
  job: DispatchJob,
  { maxDistanceKm = SCORING.defaultMaxDistanceKm, limit = SCORING.defaultLimit }: RankOptions = {},
): RankedCandidate[] {
  const ranked = drivers
    .map((driver) => evaluate(driver, job))
    .filter((c): c is RankedCandidate => c !== null && c.distanceKm <= maxDistanceKm)
    .sort(compareCandidates);
  // A driver listed twice keeps only their best entry, so duplicates cannot crowd others out.
  const seen = new Set<string>();
  const unique = ranked.filter((c) => {
    if (seen.has(c.driverId)) return false;
    seen.add(c.driverId);
    return true;
  });
  return unique.slice(0, Math.max(0, Math.floor(limit)));
}

/**
 * The highest score any driver `distanceKm` or more from the pickup could reach (empty-handed, idle):
 * once the best drivers found so far all beat it, no driver farther out can displace them.
 */
export function bestPossibleScore(distanceKm: number, priority: Priority): number {
  const w = SCORING.weights[priority];
  const raw = w.proximity / (1 + Math.max(0, distanceKm) / SCORING.proximityHalfKm) + w.spareCapacity + w.workload;
  return Math.round(raw * 100 * 10_000) / 10_000;
}

function evaluate(driver: CandidateDriver, job: DispatchJob): RankedCandidate | null {
  assertJob(job);
  if (!isUsableDriver(driver)) return null;
  const spareKg = driver.capacityKg - driver.activeLoadKg;
  if (spareKg < job.weightKg) return null;

  const road = driver.road && Number.isFinite(driver.road.durationMin) && driver.road.durationMin >= 0 ? driver.road : undefined;
  const distanceKm = road ? Math.round(road.distanceKm * 10) / 10 : roadDistanceKm(driver, job.pickup);
  // Travel time ranks better than distance (a river or a one-way street), when a router measured it.
  const proximity = road ? 1 / (1 + road.durationMin / SCORING.proximityHalfMinutes) : 1 / (1 + distanceKm / SCORING.proximityHalfKm);
  // What is left after taking this parcel: a driver who would be full afterwards scores 0 here.
  const spareAfter = driver.capacityKg > 0 ? (spareKg - job.weightKg) / driver.capacityKg : 0;
  const workload = 1 / (1 + driver.activeDeliveries);

  const w = SCORING.weights[job.priority];
  const raw = w.proximity * proximity + w.spareCapacity * Math.min(1, spareAfter) + w.workload * workload;
  // Four decimals: enough to separate drivers, and equal drivers compare equal instead of by float noise.
  const score = Math.round(raw * 100 * 10_000) / 10_000;
  const measured = road ? { travelMinutes: Math.round(road.durationMin * 10) / 10, estimated: false } : { estimated: true };
  return { driverId: driver.driverId, name: driver.name, score, distanceKm, ...measured };
}

function compareCandidates(a: RankedCandidate, b: RankedCandidate): number {
  return b.score - a.score || byCodeUnits(a.driverId, b.driverId) || a.distanceKm - b.distanceKm || byCodeUnits(a.name, b.name);
}

// Not localeCompare: the order must not depend on the locale the process runs in.
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isUsableDriver(d: CandidateDriver): boolean {
  return (
    typeof d.driverId === 'string' &&
    d.driverId.length > 0 &&
    typeof d.name === 'string' &&
    isValidLatLng(d) &&
    isNonNegativeNumber(d.capacityKg) &&
    isNonNegativeNumber(d.activeLoadKg) &&
    Number.isInteger(d.activeDeliveries) &&
    d.activeDeliveries >= 0
  );
}

const isNonNegativeNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

function assertJob(job: DispatchJob): void {
  if (!isValidLatLng(job.pickup)) throw new RangeError('job.pickup must be a valid position');
  if (!Number.isFinite(job.weightKg) || job.weightKg <= 0) {
    throw new RangeError(`job.weightKg must be a positive number, got ${job.weightKg}`);
  }
  if (!Object.hasOwn(SCORING.weights, job.priority)) throw new RangeError(`unknown priority ${JSON.stringify(job.priority)}`);
}
