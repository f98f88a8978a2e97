/**
 * Dispatch's candidate search reads only the drivers nearest the pickup, yet must offer exactly the
 * drivers that ranking everyone in reach would: against a metro fleet (loads, full vans, off-duty and
 * disabled drivers), it answers as the ranking of every active driver does, and Postgres walks the index.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchActivities, FIRST_FETCH, type FindCandidatesInput } from '../../activities/dispatch.js';
import { removeMetroFleet, seedMetroFleet } from '../../bench/lib/metro-fleet.js';
import { createSequelize } from '../../db/connection.js';
import { listDriversWithLoad, NEAREST_DRIVERS } from '../../db/drivers.js';
import { roadDistanceKm } from '../../domain/geo.js';
import { PRIORITIES } from '../../domain/pricing.js';
import { rankCandidates } from '../../domain/scoring.js';
import { closeSql, sql } from '../api/support.js';
import { env } from '../support/harness.js';

// Far north of the areas other tests place drivers in (isolatedArea keeps to ±40° of latitude).
const CENTER = { lat: 68.4, lng: 17.4 };

describe('candidate search', () => {
  let sequelize: Sequelize;
  const tag = `search${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    sequelize = createSequelize(env().DATABASE_URL!);
    const [customer] = await sql<{ id: string }>(`SELECT id FROM users WHERE email = 'customer@example.com'`);
    await seedMetroFleet(sequelize, { tag, center: CENTER, spreadKm: 30, count: 1500, customerId: customer!.id });
    // A crowd of busy, loaded drivers right at one pickup: the nearest are not the best, so the search must widen.
    await sql(
      `UPDATE drivers SET lat = $1 + (random() - 0.5) * 0.001, lng = $2 + (random() - 0.5) * 0.002
        WHERE id IN (SELECT d.id FROM drivers d JOIN users u ON u.id = d.user_id WHERE u.email LIKE $3 AND d.on_duty
                       AND EXISTS (SELECT 1 FROM deliveries x WHERE x.driver_id = d.id AND x.status <> 'DELIVERED') LIMIT 120)`,
      [CENTER.lat, CENTER.lng, `${tag}-%`],
    );
  });
  afterAll(async () => {
    await removeMetroFleet(sequelize, tag).catch(() => {});
    await sequelize?.close();
    await closeSql();
  });

  it('offers exactly the drivers that ranking every active driver in reach offers', async () => {
    const { findCandidates } = createDispatchActivities({ sequelize });
    const everyone = (await listDriversWithLoad(sequelize))
      .filter((d) => d.onDuty && d.lat !== null && d.lng !== null)
      .map((d) => ({ driverId: d.id, name: d.name, lat: d.lat!, lng: d.lng!, capacityKg: d.capacityKg, activeLoadKg: d.activeLoadKg, activeDeliveries: d.activeDeliveries }));
    const jobs: FindCandidatesInput[] = Array.from({ length: 40 }, (_, n) => ({
      deliveryId: `search-${n}`,
      // The first at the crowd; the rest spread over the area and past its edge, where few drivers are in reach.
      pickup: n === 0 ? CENTER : { lat: CENTER.lat + Math.sin(n * 7.1) * 0.2, lng: CENTER.lng + Math.cos(n * 3.3) * (n % 5 === 0 ? 1.2 : 0.4) },
      weightKg: [3, 20, 45, 250][n % 4]!,
      priority: PRIORITIES[n % PRIORITIES.length]!,
      excludeDriverIds: n % 3 === 0 ? everyone.slice(n, n + 5).map((d) => d.driverId) : [],
    }));
    for (const job of jobs) {
      const expected = rankCandidates(everyone.filter((d) => !job.excludeDriverIds.includes(d.driverId)), job);
      expect(await findCandidates(job), JSON.stringify(job)).toEqual(expected);
    }
    // At the crowd, the best drivers lie beyond the first drivers the search reads: it had to widen.
    const crowd = rankCandidates(everyone, jobs[0]!);
    const nearest = everyone.map((d) => roadDistanceKm(d, CENTER)).sort((a, b) => a - b);
    expect(crowd).toHaveLength(10);
    expect(Math.max(...crowd.map((c) => c.distanceKm))).toBeGreaterThan(nearest[FIRST_FETCH - 1]!);
  });

  it('walks the position index nearest first and counts load from open deliveries only, in its generic plan too', async () => {
    const client = new pg.Client({ connectionString: env().DATABASE_URL! });
    await client.connect();
    try {
      await client.query(`PREPARE nearest AS ${NEAREST_DRIVERS}`);
      // Postgres may switch a prepared statement to its generic plan after five runs; the sixth and later are checked too.
      for (let run = 1; run <= 8; run += 1) {
        const { rows } = await client.query(`EXPLAIN EXECUTE nearest('{0.35, 0.1, 0.93}', '{}', ${FIRST_FETCH})`);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan, plan).toMatch(/Index Scan using drivers_on_duty_position on drivers d\s.*\n\s+Order By:/);
        expect(plan, plan).toContain('deliveries_held_by_driver');
        expect(plan, plan).not.toContain('Sort');
      }
    } finally {
      await client.end();
    }
  });
});
