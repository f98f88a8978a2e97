/** Driver look-ups for dispatch: candidates, assignment checks and releasing a driver. */
import { ApplicationFailure } from '@temporalio/common';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { DriverRef } from '../domain/delivery.js';
import type { LatLng } from '../domain/geo.js';
import type { Priority } from '../domain/pricing.js';
import { rankCandidates, type CandidateDriver, type RankedCandidate } from '../domain/scoring.js';
import { DRIVER_HELD_STATUSES } from '../domain/status.js';
import type { TripMeasurer } from './geo/router.js';
import type { LivePublisher } from './live.js';

export interface FindCandidatesInput {
  deliveryId: string;
  pickup: LatLng;
  weightKg: number;
  priority: Priority;
  excludeDriverIds: string[];
}

/** Drivers within this box around the pickup are scored; the box keeps the query on an index-sized set. */
const SEARCH_RADIUS_DEG = 0.5;

export function createDispatchActivities({ sequelize, live, trips }: { sequelize: Sequelize; live?: LivePublisher; trips?: TripMeasurer }) {
  return {
    /** One query: on duty, located near the pickup, with their current load; one router table call; the domain scores them. */
    async findCandidates(input: FindCandidatesInput): Promise<RankedCandidate[]> {
      const rows = await sequelize.query<CandidateDriver>(
        `SELECT d.id AS "driverId", d.name, d.lat, d.lng, d.capacity_kg AS "capacityKg",
                COALESCE(SUM((x.parcel->>'weightKg')::numeric), 0)::float AS "activeLoadKg",
                COUNT(x.id)::int AS "activeDeliveries"
           FROM drivers d
           JOIN users u ON u.id = d.user_id AND u.disabled_at IS NULL
           LEFT JOIN deliveries x ON x.driver_id = d.id AND x.status IN (:held)
          WHERE d.on_duty AND d.lat IS NOT NULL
            AND d.lat BETWEEN :lat - :r AND :lat + :r AND d.lng BETWEEN :lng - :r AND :lng + :r
            AND NOT (d.id = ANY(CAST(:exclude AS uuid[])))
          GROUP BY d.id`,
        {
          type: QueryTypes.SELECT,
          replacements: {
            lat: input.pickup.lat,
            lng: input.pickup.lng,
            r: SEARCH_RADIUS_DEG,
            held: DRIVER_HELD_STATUSES,
            exclude: `{${input.excludeDriverIds.join(',')}}`,
          },
        },
      );
      // Only drivers who could carry the parcel are measured: the table call stays as small as the list.
      const able = rows.filter((r) => r.capacityKg - r.activeLoadKg >= input.weightKg);
      const measured = trips ? await trips.toOne(able.map((r) => ({ lat: r.lat, lng: r.lng })), input.pickup) : [];
      const drivers = able.map((r, i) => {
        const m = measured[i];
        return m && !m.estimated && m.durationMin !== null ? { ...r, road: { distanceKm: m.distanceKm, durationMin: m.durationMin } } : r;
      });
      return rankCandidates(drivers, { pickup: input.pickup, weightKg: input.weightKg, priority: input.priority });
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
