import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  ROAD_FACTOR,
  SPEED_KMH_BY_HOUR,
  STOP_OVERHEAD_MINUTES,
  estimateArrival,
  haversineKm,
  interpolate,
  isValidLatLng,
  roadDistanceKm,
  speedKmhAt,
  travelMinutes,
  type LatLng,
} from './geo.js';
import { hourOfDay, parseIsoInstant } from './time.js';

const point: fc.Arbitrary<LatLng> = fc.record({
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lng: fc.double({ min: -180, max: 180, noNaN: true }),
});

const instant = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const berlinAlexanderplatz = { lat: 52.5219, lng: 13.4132 };
const berlinZoo = { lat: 52.5074, lng: 13.3326 };

describe('haversineKm', () => {
  it('measures known distances', () => {
    expect(haversineKm(berlinAlexanderplatz, berlinZoo)).toBeCloseTo(5.72, 1);
    // Berlin to Paris, about 878 km.
    expect(haversineKm({ lat: 52.52, lng: 13.405 }, { lat: 48.8566, lng: 2.3522 })).toBeCloseTo(878, -1);
  });

  it('is symmetric, non-negative and zero for the same point', () => {
    fc.assert(
      fc.property(point, point, (a, b) => {
        const d = haversineKm(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBe(haversineKm(b, a));
        expect(haversineKm(a, a)).toBe(0);
      }),
    );
  });

  it('never exceeds half the circumference, even for antipodes', () => {
    fc.assert(
      fc.property(point, point, (a, b) => {
        expect(haversineKm(a, b)).toBeLessThanOrEqual(Math.PI * 6371.0088 + 1e-6);
      }),
    );
    expect(Number.isNaN(haversineKm({ lat: 0, lng: 0 }, { lat: 0, lng: 180 }))).toBe(false);
  });

  it('satisfies the triangle inequality', () => {
    fc.assert(
      fc.property(point, point, point, (a, b, c) => {
        // Haversine loses up to ~0.1 m to rounding near antipodal points; 1 m is ample.
        expect(haversineKm(a, c)).toBeLessThanOrEqual(haversineKm(a, b) + haversineKm(b, c) + 1e-3);
      }),
    );
    const [a, b, c] = [{ lat: 0, lng: 0 }, { lat: 0, lng: 1.4e-14 }, { lat: 0, lng: 179.99998848196384 }];
    expect(haversineKm(a, c)).toBeLessThanOrEqual(haversineKm(a, b) + haversineKm(b, c) + 1e-3);
  });
});

describe('roadDistanceKm', () => {
  it('is the straight line times the road factor, to 0.1 km', () => {
    const straight = haversineKm(berlinAlexanderplatz, berlinZoo);
    expect(roadDistanceKm(berlinAlexanderplatz, berlinZoo)).toBe(Math.round(straight * ROAD_FACTOR * 10) / 10);
    expect(roadDistanceKm(berlinAlexanderplatz, berlinZoo)).toBe(7.4);
  });

  it('is symmetric, non-negative, on a 0.1 km grid and zero for the same point', () => {
    fc.assert(
      fc.property(point, point, (a, b) => {
        const d = roadDistanceKm(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBe(roadDistanceKm(b, a));
        expect(Math.abs(d * 10 - Math.round(d * 10))).toBeLessThan(1e-6);
        expect(roadDistanceKm(a, a)).toBe(0);
      }),
    );
  });

  it('satisfies the triangle inequality up to its rounding', () => {
    fc.assert(
      fc.property(point, point, point, (a, b, c) => {
        expect(roadDistanceKm(a, c)).toBeLessThanOrEqual(roadDistanceKm(a, b) + roadDistanceKm(b, c) + 0.15 + 1e-3);
      }),
    );
  });
});

describe('parseIsoInstant and hourOfDay', () => {
  it('reads Z, offsets and zone-less strings (as UTC)', () => {
    expect(parseIsoInstant('2025-03-14T10:00:00Z')).toEqual({ epochMs: Date.UTC(2025, 2, 14, 10), offsetMinutes: 0 });
    expect(parseIsoInstant('2025-03-14T10:00:00+01:00')).toEqual({
      epochMs: Date.UTC(2025, 2, 14, 9),
      offsetMinutes: 60,
    });
    expect(parseIsoInstant('2025-03-14T10:00:00.250-0530').epochMs).toBe(Date.UTC(2025, 2, 14, 15, 30, 0, 250));
    expect(parseIsoInstant('2025-03-14T10:00').epochMs).toBe(Date.UTC(2025, 2, 14, 10));
    expect(parseIsoInstant('2025-03-14').epochMs).toBe(Date.UTC(2025, 2, 14));
  });

  it('rejects what is not a real date-time', () => {
    for (const bad of ['', 'tomorrow', '2025-02-30T10:00:00Z', '2025-13-01', '2025-03-14T25:00:00Z', '1741946400000']) {
      expect(() => parseIsoInstant(bad), bad).toThrow(RangeError);
    }
  });

  it('reads the wall-clock hour in the string’s own offset', () => {
    expect(hourOfDay('2025-03-14T23:30:00Z')).toBe(23);
    expect(hourOfDay('2025-03-14T23:30:00+02:00')).toBe(23);
    expect(hourOfDay('2025-03-14T22:30:00-02:00')).toBe(22);
  });

  it('round-trips every toISOString()', () => {
    fc.assert(
      fc.property(instant, (iso) => {
        expect(parseIsoInstant(iso).epochMs).toBe(Date.parse(iso));
        expect(hourOfDay(iso)).toBe(new Date(iso).getUTCHours());
      }),
    );
  });
});

describe('travel time', () => {
  it('is slower in rush hour than at night', () => {
    expect(speedKmhAt('2025-03-14T08:15:00Z')).toBeLessThan(speedKmhAt('2025-03-14T02:15:00Z'));
    expect(travelMinutes(10, '2025-03-14T08:00:00Z')).toBeGreaterThan(travelMinutes(10, '2025-03-14T02:00:00Z'));
  });

  it('follows the profile across hour boundaries', () => {
    // 18 km/h from 08:00, so 9 km is exactly 30 minutes.
    expect(travelMinutes(9, '2025-03-14T08:00:00Z')).toBe(30 + STOP_OVERHEAD_MINUTES);
    // 08:30–09:00 at 18 km/h covers 9 km, then 9:00– at 24 km/h covers 12 km in 30 min.
    expect(travelMinutes(21, '2025-03-14T08:30:00Z')).toBe(60 + STOP_OVERHEAD_MINUTES);
  });

  it('charges at least a minute plus the stop for any positive distance, nothing for none', () => {
    expect(travelMinutes(0, '2025-03-14T12:00:00Z')).toBe(0);
    expect(travelMinutes(0.001, '2025-03-14T12:00:00Z')).toBe(1 + STOP_OVERHEAD_MINUTES);
  });

  it('takes whole days for very long distances without looping forever', () => {
    const perDay = SPEED_KMH_BY_HOUR.reduce((a, b) => a + b, 0);
    expect(travelMinutes(perDay * 1000, '2025-03-14T12:00:00Z')).toBe(1000 * 24 * 60 + STOP_OVERHEAD_MINUTES);
  });

  it('rejects negative or non-finite distances and bad times', () => {
    expect(() => travelMinutes(-1, '2025-03-14T12:00:00Z')).toThrow(RangeError);
    expect(() => travelMinutes(Number.NaN, '2025-03-14T12:00:00Z')).toThrow(RangeError);
    expect(() => travelMinutes(1, 'soon')).toThrow(RangeError);
  });

  it('is a whole number of minutes, monotone in distance', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 2000, noNaN: true }),
        instant,
        (x, y, departAt) => {
          const [near, far] = x <= y ? [x, y] : [y, x];
          const t = travelMinutes(near, departAt);
          expect(Number.isInteger(t)).toBe(true);
          expect(t).toBeLessThanOrEqual(travelMinutes(far, departAt));
          if (near > 0) expect(t).toBeGreaterThanOrEqual(1 + STOP_OVERHEAD_MINUTES);
        },
      ),
    );
  });
});

describe('estimateArrival', () => {
  it('adds the travel time to the departure', () => {
    const departAt = '2025-03-14T10:00:00Z';
    const minutes = travelMinutes(roadDistanceKm(berlinAlexanderplatz, berlinZoo), departAt);
    expect(estimateArrival(berlinAlexanderplatz, berlinZoo, departAt)).toBe(
      new Date(Date.parse(departAt) + minutes * 60_000).toISOString(),
    );
  });

  it('answers in UTC whatever offset the departure was given in', () => {
    expect(estimateArrival(berlinZoo, berlinZoo, '2025-03-14T10:00:00+01:00')).toBe('2025-03-14T09:00:00.000Z');
  });

  it('never arrives before departing', () => {
    fc.assert(
      fc.property(point, point, instant, (a, b, departAt) => {
        expect(Date.parse(estimateArrival(a, b, departAt))).toBeGreaterThanOrEqual(Date.parse(departAt));
      }),
    );
  });
});

describe('interpolate and isValidLatLng', () => {
  it('is exact at both ends and clamps the fraction', () => {
    fc.assert(
      fc.property(point, point, fc.double({ min: 0, max: 1, noNaN: true }), (a, b, f) => {
        expect(interpolate(a, b, 0)).toEqual(a);
        expect(interpolate(a, b, 1)).toEqual(b);
        expect(interpolate(a, b, -3)).toEqual(a);
        expect(interpolate(a, b, 7)).toEqual(b);
        const p = interpolate(a, b, f);
        expect(isValidLatLng(p)).toBe(true);
        expect(p.lat).toBeGreaterThanOrEqual(Math.min(a.lat, b.lat) - 1e-9);
        expect(p.lat).toBeLessThanOrEqual(Math.max(a.lat, b.lat) + 1e-9);
      }),
    );
  });

  it('moves a simulated driver along the segment', () => {
    const mid = interpolate(berlinAlexanderplatz, berlinZoo, 0.5);
    expect(haversineKm(berlinAlexanderplatz, mid)).toBeCloseTo(haversineKm(mid, berlinZoo), 2);
    expect(() => interpolate(berlinAlexanderplatz, berlinZoo, Number.NaN)).toThrow(RangeError);
  });

  it('accepts only finite coordinates in range', () => {
    expect(isValidLatLng({ lat: 52.5, lng: 13.4 })).toBe(true);
    expect(isValidLatLng({ lat: -90, lng: 180 })).toBe(true);
    for (const bad of [null, undefined, {}, { lat: 91, lng: 0 }, { lat: 0, lng: -180.1 }, { lat: Number.NaN, lng: 0 }, { lat: '52', lng: 13 }]) {
      expect(isValidLatLng(bad)).toBe(false);
    }
  });
});
