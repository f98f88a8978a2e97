/** Driver look-ups for dispatch: candidates, assignment checks and releasing a driver. */
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../db/connection.js';
import { createDriverStore, nearestDriversWithLoad, type DriverWithLoad } from '../db/drivers.js';
import type { DriverRef } from '../domain/delivery.js';
import { roadDistanceKm, type LatLng } from '../domain/geo.js';
import type { Priority } from '../domain/pricing.js';
import { bestPossibleScore, rankCandidates, SCORING, type CandidateDriver, type RankedCandidate } from '../domain/scoring.js';
import type { LivePublisher } from '../adapters/live-publisher.js';
import type { TripMeasurer } from '../adapters/geo/router.js';

export interface FindCandidatesInput {
  deliveryId: string;
  pickup: LatLng;
  weightKg: number;
  priority: Priority;
  excludeDriverIds: string[];
}

/** Nearest drivers fetched first; most searches end there, and each widening fetches four times as many. */
export const FIRST_FETCH = 40;

const toCandidate = (d: DriverWithLoad): CandidateDriver => ({
  driverId: d.id,
  name: d.name,
  lat: d.lat!,
  lng: d.lng!,
  capacityKg: d.capacityKg,
  activeLoadKg: d.activeLoadKg,
  activeDeliveries: d.activeDeliveries,
});

export function createDispatchActivities({ sequelize, live, trips }: { sequelize: Database; live?: LivePublisher; trips?: TripMeasurer }) {
  const drivers = createDriverStore(sequelize);
  return {
    /**
     * The best drivers for the job from the nearest few: the index yields on-duty drivers nearest first,
     * and the search widens until no driver farther out could outscore the ones found (`bestPossibleScore`,
     * on straight-line distance), is in reach, or is left. Those who could carry the parcel are then
     * measured by the router in one table call and ranked on their travel times.
     */
    async findCandidates(input: FindCandidatesInput): Promise<RankedCandidate[]> {
      const job = { pickup: input.pickup, weightKg: input.weightKg, priority: input.priority };
      let drivers: CandidateDriver[];
      for (let limit = FIRST_FETCH; ; limit *= 4) {
        const rows = await nearestDriversWithLoad(sequelize, { near: input.pickup, excludeDriverIds: input.excludeDriverIds, limit });
        drivers = rows.map(toCandidate);
        if (rows.length < limit) break;
        const ranked = rankCandidates(drivers, job);
        const farthestKm = roadDistanceKm(drivers[drivers.length - 1]!, input.pickup);
        const last = ranked[SCORING.defaultLimit - 1];
        if (farthestKm > SCORING.defaultMaxDistanceKm || (last && last.score > bestPossibleScore(farthestKm, input.priority))) break;
      }
      if (!trips) return rankCandidates(drivers, job);
      // Only drivers in reach who could carry the parcel are measured: the table call stays as small as the list.
      const able = drivers.filter((r) => r.capacityKg - r.activeLoadKg >= input.weightKg && roadDistanceKm(r, input.pickup) <= SCORING.defaultMaxDistanceKm);
      const measured = await trips.toOne(able.map((r) => ({ lat: r.lat, lng: r.lng })), input.pickup);
      const withRoads = able.map((r, i) => {
        const m = measured[i];
        return m && !m.estimated && m.durationMin !== null ? { ...r, road: { distanceKm: m.distanceKm, durationMin: m.durationMin } } : r;
      });
      return rankCandidates(withRoads, job);
    },

    async loadDriver(driverId: string): Promise<DriverRef> {
      const row = await drivers.findActive(driverId);
      if (!row) throw ApplicationFailure.create({ type: 'DRIVER_NOT_FOUND', message: `no active driver ${driverId}`, nonRetryable: true });
      return { id: row.id, name: row.name };
    },

    /** Compensation: the driver no longer carries this delivery; their app drops it at once. */
    async releaseDriver(input: { deliveryId: string; driverId: string; reason: string }): Promise<void> {
      await live?.publishDriverReleased(input);
    },
  };
}
