/**
 * The read model takes a delivery's transitions in any order and any number of times (activities retry,
 * a worker dies after writing): the row ends at the highest `seq`, each event is stored once.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReadModelActivities } from '../../activities/read-model.js';
import type { DeliveryState, TransitionRecord } from '../../domain/delivery.js';
import type { DeliveryStatus } from '../../domain/status.js';
import { sql } from '../api/support.js';
import { useReadModelDatabase } from '../support/read-model.js';

describe('read model', () => {
  const db = useReadModelDatabase();

  it('keeps the latest state and every event once, whatever the order and repeats', async () => {
    const id = randomUUID();
    const code = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const createdAt = new Date().toISOString();
    const record = (seq: number, type: TransitionRecord['type'], status: DeliveryStatus): TransitionRecord => {
      const snapshot: DeliveryState = {
        deliveryId: id, trackingCode: code, customerId: db.customerId, status, seq, delayed: false, priority: 'standard',
        pickup: { address: 'Pickup 1', lat: 52.5, lng: 13.4 }, dropoff: { address: 'Dropoff 2', lat: 52.51, lng: 13.41 },
        parcel: { weightKg: 1, lengthCm: 10, widthCm: 10, heightCm: 10 },
        quote: { amountCents: 990, currency: 'EUR', expiresAt: createdAt } as DeliveryState['quote'],
        driver: null, offer: null, declinedDriverIds: [], attempts: 0, eta: null, promisedBy: null, proof: null,
        cancellation: null, alerts: [], createdAt, updatedAt: new Date(Date.parse(createdAt) + seq).toISOString(),
      };
      return { deliveryId: id, seq, type, at: snapshot.updatedAt, actor: { kind: 'system' }, data: { step: seq }, snapshot };
    };
    const { recordTransition } = createReadModelActivities({ sequelize: db.sequelize, links: { uiUrl: 'http://localhost:8233', namespace: 'default' }, hooks: [] });

    await recordTransition(record(1, 'quoted', 'QUOTED'), { publishSeparately: true });
    // The third step lands before the second (a retried activity), then both again.
    await recordTransition(record(3, 'cancelled', 'CANCELLED'), { publishSeparately: true });
    await recordTransition(record(2, 'quote_accepted', 'DISPATCHING'), { publishSeparately: true });
    await recordTransition(record(3, 'cancelled', 'CANCELLED'), { publishSeparately: true });
    await recordTransition(record(2, 'quote_accepted', 'DISPATCHING'), { publishSeparately: true });

    const [row] = await sql('SELECT status, seq, tracking_code FROM deliveries WHERE id = $1', [id]);
    expect(row).toEqual({ status: 'CANCELLED', seq: 3, tracking_code: code });
    const events = await sql('SELECT seq, type, data FROM delivery_events WHERE delivery_id = $1 ORDER BY seq', [id]);
    expect(events).toEqual([
      { seq: 1, type: 'quoted', data: { step: 1 } },
      { seq: 2, type: 'quote_accepted', data: { step: 2 } },
      { seq: 3, type: 'cancelled', data: { step: 3 } },
    ]);
    await sql('DELETE FROM deliveries WHERE id = $1', [id]);
  });
});
