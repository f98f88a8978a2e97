import { describe, expect, it } from 'vitest';
import { endpointWants, plannedNotifications, subscribableBy } from './notifications.js';

const delivery = {
  id: 'd1',
  trackingCode: 'ABCD1234EFGH5678',
  customerId: 'c1',
  quote: { amountCents: 1299, currency: 'EUR' as const, distanceKm: 3, breakdown: [], expiresAt: '2026-01-01T10:15:00.000Z' },
  driver: { id: 'drv2', name: 'Ines Moreau' },
  pickup: { address: 'Bakery, 5th Avenue 1', lat: 0, lng: 0 },
  dropoff: { address: 'Elm St 14', lat: 0, lng: 0 },
  eta: '2026-01-01T11:30:00.000Z',
  attempts: 0,
};
const plan = (type: string, data: Record<string, unknown> = {}) => plannedNotifications({ type, seq: 3, data }, delivery);
const who = (type: string, data: Record<string, unknown> = {}) => plan(type, data).map((p) => `${p.channel}:${p.template}`);

describe('who hears what', () => {
  it('tells the customer about the quote, the driver, pickup, delay, delivery, a failed attempt and cancellation', () => {
    expect(who('quoted')).toEqual(['customer:quote_ready']);
    expect(plan('quoted')[0]!.message).toContain('12.99 EUR');
    expect(who('assigned', { driverId: 'drv2', via: 'offer' })).toEqual(['customer:driver_assigned']);
    expect(plan('assigned', { driverId: 'drv2', via: 'offer' })[0]!.message).toMatch(/^Ines will pick up/);
    expect(who('picked_up')).toEqual(['customer:picked_up']);
    expect(who('delivered')).toEqual(['customer:delivered']);
    expect(who('attempt_failed', { reason: 'nobody home' })).toEqual(['customer:attempt_failed']);
    expect(plan('attempt_failed', { reason: 'nobody home' })[0]!.message).toContain('nobody home');
  });

  it('holds the delay notice for the AI message', () => {
    const [notice] = plan('delayed');
    expect(notice).toMatchObject({ channel: 'customer', template: 'delayed', awaitsDelayMessage: true });
    expect(notice!.message).toContain(delivery.trackingCode);
  });

  it('tells drivers about offers, assignments by a dispatcher, reassignment away and cancellation', () => {
    expect(who('offer_sent', { driverId: 'drv9', expiresAt: '2026-01-01T10:01:00.000Z' })).toEqual(['driver-drv9:offer']);
    expect(who('assigned', { driverId: 'drv2', via: 'dispatcher' })).toEqual(['customer:driver_assigned', 'driver-drv2:assigned']);
    expect(who('reassigned', { driverId: 'drv2', previousDriverId: 'drv1' })).toEqual([
      'customer:driver_assigned',
      'driver-drv2:assigned',
      'driver-drv1:reassigned_away',
    ]);
    expect(who('cancelled', { reason: 'ordered twice' })).toEqual(['customer:cancelled', 'driver-drv2:delivery_cancelled']);
    expect(plannedNotifications({ type: 'cancelled', seq: 2, data: {} }, { ...delivery, driver: null })).toHaveLength(1);
  });

  it('raises alerts to dispatchers only, and stays quiet on internal steps', () => {
    expect(who('alert', { kind: 'unassigned', message: 'no driver has accepted after 600 s' })).toEqual(['dispatcher:alert']);
    expect(plan('alert', { message: 'late' })[0]!.recipient).toEqual({ kind: 'dispatcher' });
    for (const quiet of ['quote_accepted', 'offer_declined', 'offer_expired', 'arrived_pickup', 'arrived_dropoff', 'ai', 'reattempt']) {
      expect(who(quiet), quiet).toEqual([]);
    }
  });

  it('keeps every channel free of the job-id separator', () => {
    for (const type of ['quoted', 'offer_sent', 'reassigned', 'cancelled', 'alert']) {
      for (const p of plan(type, { driverId: 'drv2', previousDriverId: 'drv1', message: 'x' })) expect(p.channel).not.toContain(':');
    }
  });
});

describe('webhook subscriptions', () => {
  it('lets customers subscribe to delivery events and admins also to dispatch internals, never to AI records', () => {
    expect(subscribableBy('customer')).toContain('delivery.delivered');
    expect(subscribableBy('customer')).not.toContain('delivery.alert');
    expect(subscribableBy('admin')).toContain('delivery.alert');
    expect(subscribableBy('admin')).not.toContain('delivery.ai');
  });

  it('matches an endpoint filter against an event and its owner', () => {
    expect(endpointWants(['*'], 'customer', 'picked_up')).toBe(true);
    expect(endpointWants(['delivery.delivered'], 'customer', 'picked_up')).toBe(false);
    expect(endpointWants(['*'], 'customer', 'offer_sent')).toBe(false);
    expect(endpointWants(['*'], 'admin', 'offer_sent')).toBe(true);
    expect(endpointWants(['*'], 'admin', 'ai')).toBe(false);
  });
});
