import { describe, expect, it } from 'vitest';
import { deliveryFromRow } from './imports.js';

const good = {
  reference: 'ORD-1', pickup_address: 'Bakery, 5th Avenue 1', pickup_lat: '52.52', pickup_lng: '13.40',
  dropoff_address: 'Elm St 14', dropoff_lat: '52.53', dropoff_lng: '13.41', weight_kg: '2.5', priority: 'express',
};

describe('deliveryFromRow', () => {
  it('turns a row into the body POST /deliveries takes', () => {
    expect(deliveryFromRow({ ...good, pickup_contact_phone: '+49 30 1234567', description: '3 boxes' })).toEqual({
      reference: 'ORD-1',
      body: {
        pickup: { address: 'Bakery, 5th Avenue 1', lat: 52.52, lng: 13.4, contactPhone: '+49 30 1234567' },
        dropoff: { address: 'Elm St 14', lat: 52.53, lng: 13.41 },
        parcel: { weightKg: 2.5, description: '3 boxes' },
        priority: 'express',
      },
    });
  });

  it('names the columns that are wrong, with the reason', () => {
    const bad = deliveryFromRow({ ...good, pickup_lat: 'north', weight_kg: '-1' });
    expect(bad).toMatchObject({ reference: 'ORD-1', problems: [{ column: 'pickup_lat', message: 'is not a number' }] });
    const negative = deliveryFromRow({ ...good, weight_kg: '-1', priority: 'whenever' });
    expect('problems' in negative && negative.problems.map((p) => p.column).sort()).toEqual(['priority', 'weight_kg']);
  });

  it('refuses control characters and rows without a usable reference', () => {
    expect(deliveryFromRow({ ...good, notes: 'ring\u0000twice' })).toMatchObject({ problems: [{ column: 'notes', message: 'contains a control character' }] });
    expect(deliveryFromRow({ ...good, dropoff_address: 'Elm\nSt' })).toMatchObject({ problems: [{ column: 'dropoff_address' }] });
    expect(deliveryFromRow({ ...good, reference: '' })).toMatchObject({ reference: null, problems: [{ column: 'reference', message: 'is required' }] });
    expect(deliveryFromRow({ ...good, reference: 'has space' })).toMatchObject({ problems: [{ column: 'reference' }] });
  });
});
