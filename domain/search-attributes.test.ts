import { describe, expect, it } from 'vitest';
import { startingSearchAttributes } from './search-attributes.js';

describe('startingSearchAttributes', () => {
  const pairs = (input: Parameters<typeof startingSearchAttributes>[0]) => startingSearchAttributes(input).map(({ key, value }) => [key.name, value]);

  it('starts a delivery as QUOTED, not delayed, under its customer and priority', () => {
    expect(pairs({ customerId: 'c1', priority: 'express' })).toEqual([
      ['DeliveryStatus', 'QUOTED'],
      ['CustomerId', 'c1'],
      ['Priority', 'express'],
      ['Delayed', false],
    ]);
  });

  it('adds the end of the first window, the pickup’s before the drop-off’s', () => {
    const pickupWindow = { from: '2025-03-14T08:00:00.000Z', to: '2025-03-14T10:00:00.000Z' };
    const dropoffWindow = { from: '2025-03-14T12:00:00.000Z', to: '2025-03-14T14:00:00.000Z' };
    expect(pairs({ customerId: 'c1', priority: 'standard', pickupWindow, dropoffWindow }).at(-1)).toEqual(['WindowEndsAt', new Date(pickupWindow.to)]);
    expect(pairs({ customerId: 'c1', priority: 'standard', dropoffWindow }).at(-1)).toEqual(['WindowEndsAt', new Date(dropoffWindow.to)]);
  });
});
