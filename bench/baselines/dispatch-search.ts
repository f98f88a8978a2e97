/**
 * B8's baseline, kept as dispatch searched before its index: every on-duty driver in a box of ±0.5° around
 * the pickup, with the load of each (a join over all their open deliveries), all of them ranked.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { FindCandidatesInput } from '../../activities/dispatch.js';
import { rankCandidates, type CandidateDriver, type RankedCandidate } from '../../domain/scoring.js';
import { DRIVER_HELD_STATUSES } from '../../domain/status.js';

export async function searchByBoundingBox(sequelize: Sequelize, input: FindCandidatesInput): Promise<RankedCandidate[]> {
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
        r: 0.5,
        held: DRIVER_HELD_STATUSES,
        exclude: `{${input.excludeDriverIds.join(',')}}`,
      },
    },
  );
  return rankCandidates(rows, { pickup: input.pickup, weightKg: input.weightKg, priority: input.priority });
}
