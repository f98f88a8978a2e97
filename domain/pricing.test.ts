import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PRICING, PRIORITIES, chargeableWeightKg, quotePrice, type ParcelSpec, type Priority, type QuoteInput } from './pricing.js';

const DAYTIME = '2025-03-14T10:00:00Z';

const priority = fc.constantFrom<Priority>(...PRIORITIES);
const distanceKm = fc.double({ min: 0, max: 500, noNaN: true });
const weightKg = fc.double({ min: 0.01, max: 1000, noNaN: true });
const side = fc.option(fc.double({ min: 1, max: 400, noNaN: true }), { nil: undefined });
const parcel: fc.Arbitrary<ParcelSpec> = fc.record({ weightKg, lengthCm: side, widthCm: side, heightCm: side });
const requestedAt = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const quoteInput: fc.Arbitrary<QuoteInput> = fc.record({ distanceKm, parcel, priority, requestedAt });

const line = (input: QuoteInput, code: string) => quotePrice(input).breakdown.find((l) => l.code === code);

describe('quotePrice', () => {
  it('prices an ordinary daytime standard delivery from base, distance and weight', () => {
    const price = quotePrice({ distanceKm: 7.4, parcel: { weightKg: 12 }, priority: 'standard', requestedAt: DAYTIME });
    expect(price).toEqual({
      amountCents: 490 + 703 + 250,
      currency: 'EUR',
      distanceKm: 7.4,
      breakdown: [
        { code: 'base', label: 'Base fee', amountCents: 490 },
        { code: 'distance', label: 'Distance 7.4 km × €0.95/km', amountCents: 703 },
        { code: 'weight', label: 'Weight 12 kg (up to 15 kg)', amountCents: 250 },
      ],
    });
  });

  it('adds the priority uplift as its own line', () => {
    const input: QuoteInput = { distanceKm: 10, parcel: { weightKg: 2 }, priority: 'express', requestedAt: DAYTIME };
    const transport = 490 + 950 + 0;
    expect(line(input, 'priority')).toEqual({ code: 'priority', label: 'Express priority ×1.5', amountCents: transport / 2 });
    expect(line({ ...input, priority: 'urgent' }, 'priority')?.amountCents).toBe(Math.round(transport * 1.2));
    expect(line({ ...input, priority: 'standard' }, 'priority')).toBeUndefined();
  });

  it('charges every started kg beyond the last tier', () => {
    const at = (kg: number) => line({ distanceKm: 1, parcel: { weightKg: kg }, priority: 'standard', requestedAt: DAYTIME }, 'weight');
    expect(at(5)?.amountCents).toBe(0);
    expect(at(5.01)?.amountCents).toBe(250);
    expect(at(30)?.amountCents).toBe(600);
    expect(at(30.2)?.amountCents).toBe(600 + 35);
    expect(at(42)).toEqual({ code: 'weight', label: 'Weight 42 kg (over 30 kg)', amountCents: 600 + 12 * 35 });
  });

  it('charges a bulky light parcel by its volumetric weight', () => {
    const bulky = { weightKg: 2, lengthCm: 60, widthCm: 50, heightCm: 40 }; // 120000 cm³ → 24 kg
    expect(chargeableWeightKg(bulky)).toBe(24);
    expect(chargeableWeightKg({ weightKg: 2, lengthCm: 60, widthCm: 50 })).toBe(2);
    expect(line({ distanceKm: 1, parcel: bulky, priority: 'standard', requestedAt: DAYTIME }, 'weight')).toEqual({
      code: 'weight',
      label: 'Weight 24 kg volumetric (up to 30 kg)',
      amountCents: 600,
    });
  });

  it('adds a night surcharge from 22:00 until 06:00 in the requested time’s own offset', () => {
    const at = (requested: string) => line({ distanceKm: 3, parcel: { weightKg: 1 }, priority: 'standard', requestedAt: requested }, 'night');
    expect(at('2025-03-14T21:59:59Z')).toBeUndefined();
    expect(at('2025-03-14T22:00:00Z')?.amountCents).toBe(PRICING.night.surchargeCents);
    expect(at('2025-03-15T05:59:00Z')?.label).toBe('Night surcharge (22:00–06:00)');
    expect(at('2025-03-15T06:00:00Z')).toBeUndefined();
    expect(at('2025-03-14T23:30:00+01:00')).toBeDefined();
  });

  it('adds a long-distance line only beyond 50 km', () => {
    const at = (km: number) => line({ distanceKm: km, parcel: { weightKg: 1 }, priority: 'standard', requestedAt: DAYTIME }, 'long_distance');
    expect(at(50)).toBeUndefined();
    expect(at(62.5)?.amountCents).toBe(Math.round(12.5 * 40));
  });

  it('rounds the distance to 0.1 km and prices that figure', () => {
    const price = quotePrice({ distanceKm: 7.38, parcel: { weightKg: 1 }, priority: 'standard', requestedAt: DAYTIME });
    expect(price.distanceKm).toBe(7.4);
    expect(price.breakdown.find((l) => l.code === 'distance')?.amountCents).toBe(703);
  });

  it('rejects inputs a quote cannot be made from', () => {
    const ok: QuoteInput = { distanceKm: 1, parcel: { weightKg: 1 }, priority: 'standard', requestedAt: DAYTIME };
    expect(() => quotePrice({ ...ok, distanceKm: -1 })).toThrow(RangeError);
    expect(() => quotePrice({ ...ok, distanceKm: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(() => quotePrice({ ...ok, parcel: { weightKg: 0 } })).toThrow(RangeError);
    expect(() => quotePrice({ ...ok, parcel: { weightKg: 1, heightCm: -5 } })).toThrow(RangeError);
    expect(() => quotePrice({ ...ok, priority: 'overnight' as Priority })).toThrow(RangeError);
    expect(() => quotePrice({ ...ok, requestedAt: 'now' })).toThrow(RangeError);
  });
});

describe('quotePrice properties', () => {
  it('is a non-negative whole number of cents whose lines sum exactly to the total', () => {
    fc.assert(
      fc.property(quoteInput, (input) => {
        const price = quotePrice(input);
        expect(price.currency).toBe('EUR');
        expect(Number.isInteger(price.amountCents)).toBe(true);
        expect(price.amountCents).toBeGreaterThanOrEqual(PRICING.baseFeeCents);
        for (const l of price.breakdown) {
          expect(Number.isInteger(l.amountCents)).toBe(true);
          expect(l.amountCents).toBeGreaterThanOrEqual(0);
        }
        expect(price.breakdown.reduce((sum, l) => sum + l.amountCents, 0)).toBe(price.amountCents);
      }),
    );
  });

  it('never falls as the parcel gets heavier', () => {
    fc.assert(
      fc.property(quoteInput, weightKg, weightKg, (input, x, y) => {
        const [light, heavy] = x <= y ? [x, y] : [y, x];
        const at = (kg: number) => quotePrice({ ...input, parcel: { ...input.parcel, weightKg: kg } }).amountCents;
        expect(at(light)).toBeLessThanOrEqual(at(heavy));
      }),
    );
  });

  it('never falls as the distance grows', () => {
    fc.assert(
      fc.property(quoteInput, distanceKm, distanceKm, (input, x, y) => {
        const [near, far] = x <= y ? [x, y] : [y, x];
        expect(quotePrice({ ...input, distanceKm: near }).amountCents).toBeLessThanOrEqual(
          quotePrice({ ...input, distanceKm: far }).amountCents,
        );
      }),
    );
  });

  it('orders priorities standard ≤ express ≤ urgent', () => {
    fc.assert(
      fc.property(quoteInput, (input) => {
        const amounts = PRIORITIES.map((p) => quotePrice({ ...input, priority: p }).amountCents);
        expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(quoteInput, (input) => {
        expect(quotePrice(input)).toEqual(quotePrice(structuredClone(input)));
      }),
    );
  });
});

describe('quotePrice on an estimated distance', () => {
  it('says on the distance line that the distance is an estimate, and prices it the same', () => {
    const input: QuoteInput = { distanceKm: 5.2, parcel: { weightKg: 2 }, priority: 'standard', requestedAt: '2026-03-02T12:00:00+01:00' };
    const road = quotePrice(input);
    const estimated = quotePrice({ ...input, distanceEstimated: true });
    expect(estimated.amountCents).toBe(road.amountCents);
    expect(estimated.breakdown.find((l) => l.code === 'distance')!.label).toBe('Distance 5.2 km (estimated) × €0.95/km');
    expect(road.breakdown.find((l) => l.code === 'distance')!.label).toBe('Distance 5.2 km × €0.95/km');
  });
});
