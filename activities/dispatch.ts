/** Driver look-ups for dispatch: candidates, assignment checks and releasing a driver. */
import { ApplicationFailure } from '@temporalio/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import { nearestDriversWithLoad, type DriverWithLoad } from '../db/drivers.js';
import type { DriverRef } from '../domain/delivery.js';
import { roadDistanceKm, type LatLng } from '../domain/geo.js';
import type { Priority } from '../domain/pricing.js';
import { bestPossibleScore, rankCandidates, SCORING, type CandidateDriver, type RankedCandidate } from '../domain/scoring.js';
import type { LivePublisher } from '../adapters/live-publisher.js';

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

export function createDispatchActivities({ sequelize, live }: { sequelize: Sequelize; live?: LivePublisher }) {
  return {
    /**
     * The best drivers for the job, exactly as ranking every driver in reach would give them, from the
     * nearest few: the index yields on-duty drivers nearest first, and the search widens until no driver
     * farther out could outscore the ones found (`bestPossibleScore`), is in reach, or is left.
     */
    async findCandidates(input: FindCandidatesInput): Promise<RankedCandidate[]> {
      const job = { pickup: input.pickup, weightKg: input.weightKg, priority: input.priority };
      for (let limit = FIRST_FETCH; ; limit *= 4) {
        const rows = await nearestDriversWithLoad(sequelize, { near: input.pickup, excludeDriverIds: input.excludeDriverIds, limit });
        const ranked = rankCandidates(rows.map(toCandidate), job);
        if (rows.length < limit) return ranked;
        const farthestKm = roadDistanceKm(toCandidate(rows[rows.length - 1]!), input.pickup);
        const last = ranked[SCORING.defaultLimit - 1];
        if (farthestKm > SCORING.defaultMaxDistanceKm || (last && last.score > bestPossibleScore(farthestKm, input.priority))) return ranked;
      }
    },

    async loadDriver(driverId: string): Promise<DriverRef> {
      const [row] = await sequelize.query<{ id: string; name: string }>(
        `SELECT d.id, d.name FROM drivers d JOIN users u ON u.id = d.user_id AND u.disabled_at IS NULL WHERE d.id = :driverId`,
        { type: QueryTypes.SELECT, replacements: { driverId } },
      );
      if (!row) throw ApplicationFailure.create({ type: 'DRIVER_NOT_FOUND', message: `no active driver ${driverId}`, nonRetryable: true });
      return { id: row.id, name: row.name };
    },

    /** Compensation: the driver no longer carries this delivery; their app drops it at once. */
    async releaseDriver(input: { deliveryId: string; driverId: string; reason: string }): Promise<void> {
      await live?.publishDriverReleased(input);
    },
  };
}
