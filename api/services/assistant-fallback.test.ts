import { describe, expect, it } from 'vitest';
import { isoWithOffset } from './ai-service.js';
import { answerFromSnapshot } from './assistant-fallback.js';
import type { OperationsSnapshot, SnapshotDelivery } from '../../db/operations-snapshot.js';

const delivery = (over: Partial<SnapshotDelivery>): SnapshotDelivery => ({
  trackingCode: 'AAAA',
  status: 'IN_TRANSIT',
  priority: 'standard',
  driverName: 'Ana Ruiz',
  promisedBy: '2030-05-06T14:05:00.000Z',
  eta: '2030-05-06T14:30:00.000Z',
  createdAt: '2030-05-06T12:00:00.000Z',
  pickup: 'Bakery, 5th Avenue 1',
  dropoff: 'Elm St 14',
  ...over,
});

const snapshot: OperationsSnapshot = {
  at: '2030-05-06T14:20:00.000Z',
  countsByStatus: { DISPATCHING: 2, IN_TRANSIT: 5, ASSIGNED: 1, DELIVERED: 11, CANCELLED: 1 },
  late: { total: 7, items: [delivery({ trackingCode: 'LATE1' }), delivery({ trackingCode: 'LATE2', driverName: null, status: 'ASSIGNED' })] },
  unassigned: {
    total: 2,
    items: [
      delivery({ trackingCode: 'WAIT1', status: 'DISPATCHING', driverName: null, priority: 'urgent', createdAt: '2030-05-06T13:50:00.000Z' }),
      delivery({ trackingCode: 'WAIT2', status: 'DISPATCHING', driverName: null }),
    ],
  },
  driversOnDuty: {
    total: 3,
    items: [
      { name: 'Idle Ida', vehicleType: 'van', capacityKg: 500, activeDeliveries: 0, loadKg: 0, lastSeenAt: null },
      { name: 'Busy Bo', vehicleType: 'bike', capacityKg: 30, activeDeliveries: 2, loadKg: 12.5, lastSeenAt: null },
      { name: 'Cargo Cy', vehicleType: 'van', capacityKg: 800, activeDeliveries: 1, loadKg: 40, lastSeenAt: null },
    ],
  },
};
const empty: OperationsSnapshot = {
  at: snapshot.at,
  countsByStatus: {},
  late: { total: 0, items: [] },
  unassigned: { total: 0, items: [] },
  driversOnDuty: { total: 0, items: [] },
};

describe('answerFromSnapshot', () => {
  it.each([
    ['Which deliveries are late?', ['7 deliveries are late', 'LATE1 (IN_TRANSIT, Ana Ruiz, promised by 14:05 UTC)', 'LATE2 (ASSIGNED, no driver', 'and 5 more']],
    ['anything overdue right now', ['7 deliveries are late']],
    ['What is still waiting for a driver?', ['2 deliveries are waiting for a driver', 'WAIT1 (urgent, waiting since 13:50 UTC, pickup Bakery, 5th Avenue 1)']],
    ['any unassigned orders?', ['2 deliveries are waiting for a driver']],
    ['how many are dispatching', ['2 deliveries are waiting for a driver']],
    ['Who is on duty?', ['3 drivers on duty', 'Idle Ida (0 active deliveries, 0 of 500 kg)', 'Busy Bo (2 active deliveries, 12.5 of 30 kg)']],
    ['which drivers are free?', ['1 driver on duty with nothing to carry: Idle Ida.']],
    ['How many deliveries are in transit?', ['5 deliveries are IN_TRANSIT right now.']],
    ['how many delivered today', ['11 deliveries reached DELIVERED in the last 24 hours.']],
    ['any failed attempts?', ['0 deliveries are ATTEMPT_FAILED right now.']],
    ['Give me a status overview', ['Open deliveries: DISPATCHING 2, ASSIGNED 1, IN_TRANSIT 5.', 'Finished in the last 24 hours: DELIVERED 11, CANCELLED 1.']],
    ['late deliveries and free drivers', ['7 deliveries are late', 'nothing to carry: Idle Ida']],
  ])('%s', (question, expected) => {
    const answer = answerFromSnapshot(question, snapshot);
    for (const part of expected) expect(answer).toContain(part);
  });

  it('answers an unknown question with the overview and what it can answer', () => {
    const answer = answerFromSnapshot('What is the weather in Lisbon?', snapshot);
    expect(answer).toContain('Open deliveries: DISPATCHING 2');
    expect(answer).toContain('7 deliveries are late');
    expect(answer).toMatch(/I can answer about late deliveries/);
  });

  it('says so when there is nothing to report', () => {
    expect(answerFromSnapshot('which are late?', empty)).toBe('No open delivery is late.');
    expect(answerFromSnapshot('anything unassigned?', empty)).toBe('No delivery is waiting for a driver.');
    expect(answerFromSnapshot('who is on duty', empty)).toBe('No driver is on duty.');
    expect(answerFromSnapshot('summary please', empty)).toBe('Open deliveries: none. Finished in the last 24 hours: none.');
  });
});

describe('isoWithOffset', () => {
  const now = new Date('2030-05-06T22:30:00.000Z');
  it.each([
    ['Z', '2030-05-06T22:30:00.000Z'],
    ['+02:00', '2030-05-07T00:30:00.000+02:00'],
    ['-05:30', '2030-05-06T17:00:00.000-05:30'],
  ])('writes now in %s', (offset, expected) => {
    expect(isoWithOffset(now, offset)).toBe(expected);
    expect(Date.parse(isoWithOffset(now, offset))).toBe(now.getTime());
  });
});
