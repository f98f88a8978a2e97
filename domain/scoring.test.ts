import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PRIORITIES, type Priority } from './pricing.js';
import { roadDistanceKm } from './geo.js';
import { SCORING, bestPossibleScore, rankCandidates, scoreCandidate, type CandidateDriver, type DispatchJob } from './scoring.js';

const pickup = { lat: 52.52, lng: 13.405 };
const job = (overrides: Partial<DispatchJob> = {}): DispatchJob => ({ pickup, weightKg: 5, priority: 'standard', ...overrides });

const driver = (driverId: string, overrides: Partial<CandidateDriver> = {}): CandidateDriver => ({
  driverId,
  name: `Driver ${driverId}`,
  lat: pickup.lat,
  lng: pickup.lng,
  capacityKg: 100,
  activeLoadKg: 0,
  activeDeliveries: 0,
  ...overrides,
});

// Roughly 0.009° of latitude per km.
const kmNorth = (km: number) => ({ lat: pickup.lat + km * 0.009, lng: pickup.lng });

describe('scoreCandidate', () => {
  it('gives an idle, empty driver at the pickup full marks', () => {
    expect(scoreCandidate(driver('a'), job({ weightKg: 0.001 }))).toBeCloseTo(100, 2);
  });

  it('is null when spare capacity is below the parcel weight', () => {
    expect(scoreCandidate(driver('a', { capacityKg: 20, activeLoadKg: 16 }), job({ weightKg: 5 }))).toBeNull();
    expect(scoreCandidate(driver('a', { capacityKg: 20, activeLoadKg: 15 }), job({ weightKg: 5 }))).not.toBeNull();
  });

  it('is null for records that are not usable drivers', () => {
    for (const bad of [
      driver(''),
      driver('a', { lat: Number.NaN }),
      driver('a', { lng: 200 }),
      driver('a', { capacityKg: -1 }),
      driver('a', { activeLoadKg: Number.POSITIVE_INFINITY }),
      driver('a', { activeDeliveries: 1.5 }),
    ]) {
      expect(scoreCandidate(bad, job())).toBeNull();
    }
  });

  it('prefers closer, emptier and less busy drivers', () => {
    const base = scoreCandidate(driver('a', { ...kmNorth(3), activeLoadKg: 20, activeDeliveries: 1 }), job()) ?? 0;
    expect(scoreCandidate(driver('a', { ...kmNorth(1), activeLoadKg: 20, activeDeliveries: 1 }), job())).toBeGreaterThan(base);
    expect(scoreCandidate(driver('a', { ...kmNorth(3), activeLoadKg: 0, activeDeliveries: 1 }), job())).toBeGreaterThan(base);
    expect(scoreCandidate(driver('a', { ...kmNorth(3), activeLoadKg: 20, activeDeliveries: 0 }), job())).toBeGreaterThan(base);
  });

  it('weighs distance more for express and urgent jobs', () => {
    const nearButBusy = driver('near', { ...kmNorth(1), capacityKg: 50, activeLoadKg: 35, activeDeliveries: 3 });
    const farButFree = driver('far', { ...kmNorth(12) });
    const first = (priority: Priority) => rankCandidates([nearButBusy, farButFree], job({ priority }))[0]?.driverId;
    expect(first('standard')).toBe('far');
    expect(first('urgent')).toBe('near');
    const gap = (priority: Priority) =>
      (scoreCandidate(nearButBusy, job({ priority })) ?? 0) - (scoreCandidate(farButFree, job({ priority })) ?? 0);
    expect(gap('standard')).toBeLessThan(gap('express'));
    expect(gap('express')).toBeLessThan(gap('urgent'));
  });

  it('rejects a job it cannot score against', () => {
    expect(() => scoreCandidate(driver('a'), job({ weightKg: 0 }))).toThrow(RangeError);
    expect(() => scoreCandidate(driver('a'), job({ pickup: { lat: 95, lng: 0 } }))).toThrow(RangeError);
    expect(() => scoreCandidate(driver('a'), job({ priority: 'whenever' as Priority }))).toThrow(RangeError);
  });
});

describe('rankCandidates', () => {
  it('ranks by score, reports road distance and drops the full and the far', () => {
    const drivers = [
      driver('d-far', kmNorth(40)),
      driver('d-2km', kmNorth(2)),
      driver('d-full', { capacityKg: 10, activeLoadKg: 8 }),
      driver('d-here'),
    ];
    const ranked = rankCandidates(drivers, job());
    expect(ranked.map((c) => c.driverId)).toEqual(['d-here', 'd-2km']);
    expect(ranked[1]).toMatchObject({ name: 'Driver d-2km', distanceKm: roadDistanceKm(kmNorth(2), pickup) });
  });

  it('honours maxDistanceKm and limit', () => {
    const drivers = Array.from({ length: 20 }, (_, i) => driver(`d${String(i).padStart(2, '0')}`, kmNorth(i)));
    expect(rankCandidates(drivers, job())).toHaveLength(SCORING.defaultLimit);
    expect(rankCandidates(drivers, job(), { maxDistanceKm: 5 }).every((c) => c.distanceKm <= 5)).toBe(true);
    expect(rankCandidates(drivers, job(), { limit: 3 }).map((c) => c.driverId)).toEqual(['d00', 'd01', 'd02']);
    expect(rankCandidates(drivers, job(), { limit: 0 })).toEqual([]);
  });

  it('breaks ties by driverId', () => {
    const ranked = rankCandidates([driver('c'), driver('a'), driver('b')], job());
    expect(ranked.map((c) => c.driverId)).toEqual(['a', 'b', 'c']);
  });

  it('lists a driver once, with their best entry', () => {
    const ranked = rankCandidates([driver('a', kmNorth(6)), driver('a'), driver('b', kmNorth(3))], job());
    expect(ranked.map((c) => [c.driverId, c.distanceKm])).toEqual([
      ['a', 0],
      ['b', roadDistanceKm(kmNorth(3), pickup)],
    ]);
  });
});

describe('rankCandidates properties', () => {
  const candidate: fc.Arbitrary<CandidateDriver> = fc.record({
    driverId: fc.constantFrom('d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8'),
    name: fc.constantFrom('Ada', 'Bo', 'Cy'),
    lat: fc.double({ min: 52.2, max: 52.8, noNaN: true }),
    lng: fc.double({ min: 13.1, max: 13.7, noNaN: true }),
    capacityKg: fc.constantFrom(0, 10, 25, 50, 200, 1000),
    activeLoadKg: fc.constantFrom(0, 5, 20, 45, 300),
    activeDeliveries: fc.nat(6),
  });
  const dispatchJob: fc.Arbitrary<DispatchJob> = fc.record({
    pickup: fc.record({ lat: fc.double({ min: 52.3, max: 52.7, noNaN: true }), lng: fc.double({ min: 13.2, max: 13.6, noNaN: true }) }),
    weightKg: fc.double({ min: 0.1, max: 60, noNaN: true }),
    priority: fc.constantFrom<Priority>(...PRIORITIES),
  });
  const options = fc.record({ maxDistanceKm: fc.double({ min: 0, max: 60, noNaN: true }), limit: fc.nat(12) });

  it('returns only input drivers that can carry the job within reach, sorted best first, at most limit', () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 25 }), dispatchJob, options, (drivers, j, opts) => {
        const ranked = rankCandidates(drivers, j, opts);
        expect(ranked.length).toBeLessThanOrEqual(opts.limit);
        expect(new Set(ranked.map((c) => c.driverId)).size).toBe(ranked.length);
        for (const c of ranked) {
          const source = drivers.find(
            (d) => d.driverId === c.driverId && d.name === c.name && scoreCandidate(d, j) === c.score,
          );
          expect(source).toBeDefined();
          if (!source) continue;
          expect(source.capacityKg - source.activeLoadKg).toBeGreaterThanOrEqual(j.weightKg);
          expect(c.distanceKm).toBeLessThanOrEqual(opts.maxDistanceKm);
          expect(c.score).toBeGreaterThanOrEqual(0);
          expect(c.score).toBeLessThanOrEqual(100);
        }
        for (let i = 1; i < ranked.length; i++) {
          const [prev, next] = [ranked[i - 1], ranked[i]];
          if (!prev || !next) continue;
          expect(prev.score > next.score || (prev.score === next.score && prev.driverId < next.driverId)).toBe(true);
        }
      }),
    );
  });

  it('is deterministic whatever order the drivers come in', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 25 }).chain((drivers) => fc.tuple(fc.constant(drivers), fc.shuffledSubarray(drivers, { minLength: drivers.length }))),
        dispatchJob,
        options,
        ([drivers, shuffled], j, opts) => {
          expect(rankCandidates(shuffled, j, opts)).toEqual(rankCandidates(drivers, j, opts));
        },
      ),
    );
  });

  it('never leaves out a driver who beats someone it kept', () => {
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 25 }), dispatchJob, (drivers, j) => {
        const everyone = rankCandidates(drivers, j, { limit: 100, maxDistanceKm: 1000 });
        const top = rankCandidates(drivers, j, { limit: 3, maxDistanceKm: 1000 });
        expect(top).toEqual(everyone.slice(0, 3));
      }),
    );
  });
});

describe('bestPossibleScore', () => {
  it('is never beaten by a driver at that distance or farther, and is reached by an idle, empty one', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.constantFrom(10, 100, 1000),
        fc.constantFrom(0, 5, 50),
        fc.nat(5),
        fc.constantFrom<Priority>(...PRIORITIES),
        (km, fartherKm, capacityKg, activeLoadKg, activeDeliveries, priority) => {
          const far = driver('d1', { ...kmNorth(km + fartherKm), capacityKg, activeLoadKg, activeDeliveries });
          const bound = bestPossibleScore(roadDistanceKm(kmNorth(km), pickup), priority);
          const score = scoreCandidate(far, job({ priority, weightKg: 0.001 }));
          expect(score === null || score <= bound).toBe(true);
        },
      ),
    );
    expect(bestPossibleScore(0, 'standard')).toBe(100);
    expect(scoreCandidate(driver('d1', { capacityKg: 1e9 }), job({ weightKg: 0.001 }))).toBe(100);
  });
});

describe('ranking on a router’s travel times', () => {
  it('puts the driver with the shorter drive first even when the straight line says otherwise', () => {
    // Across the river: near as the crow flies, a long way round by road.
    const across = driver('across', { ...kmNorth(1), road: { distanceKm: 9, durationMin: 24 } });
    const along = driver('along', { ...kmNorth(3), road: { distanceKm: 3.6, durationMin: 8 } });
    const ranked = rankCandidates([across, along], job({ priority: 'urgent' }));
    expect(ranked.map((c) => c.driverId)).toEqual(['along', 'across']);
    expect(ranked[0]).toMatchObject({ distanceKm: 3.6, travelMinutes: 8, estimated: false });
  });

  it('flags the straight-line estimate when no router measured the way', () => {
    expect(rankCandidates([driver('a', kmNorth(2))], job())[0]).toMatchObject({ estimated: true, distanceKm: roadDistanceKm(kmNorth(2), pickup) });
    expect(rankCandidates([driver('a', kmNorth(2))], job())[0]!.travelMinutes).toBeUndefined();
  });
});
