/**
 * B8: dispatch's candidate search and ranking with 10,000 drivers in one metro area (a square 40 km wide,
 * `bench/lib/metro-fleet.ts`), in a database of its own: the product's `findCandidates` (nearest drivers
 * from a GiST index, load counted for those only) against the search as it was (a bounding box on the
 * bare columns, load aggregated for every driver in it, all of them ranked), one search at a time from
 * random pickups in the area, taking turns. Both must return the same drivers in the same order.
 */
import { QueryTypes } from 'sequelize';
import { createDispatchActivities, type FindCandidatesInput } from '../activities/dispatch.js';
import { createSequelize } from '../db/connection.js';
import { PRIORITIES } from '../domain/pricing.js';
import type { RankedCandidate } from '../domain/scoring.js';
import { ROUNDS } from './b1-lifecycle.js';
import { searchByBoundingBox } from './baselines/dispatch-search.js';
import type { Figure } from './lib/context.js';
import { prepareDatabase } from './lib/env.js';
import { seedMetroFleet } from './lib/metro-fleet.js';
import { backendsCpuSeconds } from './lib/processes.js';
import { summarize } from './lib/stats.js';

const CENTER = { lat: 59.91, lng: 10.75 };
const SPREAD_KM = 40;

/** A repeatable stream of pickups, weights and priorities (mulberry32). */
function jobs(seed: number) {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const halfLat = SPREAD_KM / 2 / 111.2;
  const halfLng = halfLat / Math.cos((CENTER.lat * Math.PI) / 180);
  return (n: number): FindCandidatesInput => ({
    deliveryId: `bench-${n}`,
    pickup: { lat: CENTER.lat + (random() * 2 - 1) * halfLat, lng: CENTER.lng + (random() * 2 - 1) * halfLng },
    weightKg: 1 + Math.floor(random() * 30),
    priority: PRIORITIES[n % PRIORITIES.length]!,
    excludeDriverIds: [],
  });
}

export const dispatchFigure: Figure = async (ctx) => {
  const { sizes, log } = ctx;
  const db = await prepareDatabase('b8');
  const sequelize = createSequelize(db.url, { poolMax: 2 });
  try {
    const seeding = performance.now();
    await seedMetroFleet(sequelize, { tag: 'metro', center: CENTER, spreadKm: SPREAD_KM, count: sizes.fleetDrivers, customerId: db.customerId });
    log(`B8: ${sizes.fleetDrivers} drivers seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s; ${sizes.searches} searches on each side in ${ROUNDS} alternating rounds`);
    const { findCandidates } = createDispatchActivities({ sequelize });
    const side = (search: (input: FindCandidatesInput) => Promise<RankedCandidate[]>) => ({ search, samples: [] as number[], nodeMicros: 0, postgresSeconds: 0 });
    const sides = { index: side(findCandidates), box: side((input) => searchByBoundingBox(sequelize, input)) };
    // CPU as well as time: on a shared machine the tail is mostly other work, CPU per search much less so.
    const backends = async () =>
      (await sequelize.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()', { type: QueryTypes.SELECT })).map((r) => r.pid);
    const next = jobs(26);
    let differ = 0;
    let offered = 0;
    const turn = async (n: number, record: boolean) => {
      const input = next(n);
      const answers: string[] = [];
      // Alternate which side goes first, so neither always finds the other's pages in the cache.
      for (const side of n % 2 ? [sides.index, sides.box] : [sides.box, sides.index]) {
        const pids = record ? await backends() : [];
        const postgresBefore = await backendsCpuSeconds(pids);
        const cpu = process.cpuUsage();
        const started = performance.now();
        const ranked = await side.search(input);
        if (record) {
          side.samples.push(performance.now() - started);
          const used = process.cpuUsage(cpu);
          side.nodeMicros += used.user + used.system;
          side.postgresSeconds += (await backendsCpuSeconds(pids)) - postgresBefore;
        }
        answers.push(JSON.stringify(ranked.map((c) => [c.driverId, c.score])));
        offered += record && side === sides.index ? ranked.length : 0;
      }
      if (answers[0] !== answers[1]) differ += 1;
    };
    for (let n = 0; n < 20; n += 1) await turn(n, false);
    const perRound = Math.ceil(sizes.searches / ROUNDS);
    for (let n = 0; n < perRound * ROUNDS; n += 1) await turn(1000 + n, true);
    const index = summarize(sides.index.samples);
    const box = summarize(sides.box.samples);
    const ms = (s: typeof index) => `p50 ${s.p50.toFixed(2)} / p99 ${s.p99.toFixed(2)} ms`;
    const cpu = (s: typeof sides.index) => `${Math.round((s.postgresSeconds * 1e6) / s.samples.length)} µs Postgres + ${Math.round(s.nodeMicros / s.samples.length)} µs Node`;
    log(`B8: index ${ms(index)}, bounding box ${ms(box)}; ${(offered / index.n).toFixed(1)} candidates a search; ${differ} of ${20 + index.n} searches answered differently`);
    log(`B8: CPU per search: index ${cpu(sides.index)}, bounding box ${cpu(sides.box)} (Postgres read from /proc in 10 ms ticks, so a mean over many)`);
    return [
      {
        id: 'B8',
        name: 'dispatch at fleet size',
        value: `${ms(index)}, ${sizes.fleetDrivers.toLocaleString('en')} drivers (nearest first, GiST)${differ ? `; ${differ} answers differ` : ''}`,
        baseline: `${ms(box)} (bounding box, load for all)`,
        ratio: box.p99 / index.p99,
        target: 'p99 ≤ 5 ms',
        met: differ === 0 && index.p99 <= 5,
        details: { index, box, differ, cpuMicros: { index: cpu(sides.index), box: cpu(sides.box) } },
      },
    ];
  } finally {
    await sequelize.close();
    await db.drop();
  }
};
