/**
 * The outbox relay: a recorded transition is published at once and leaves the outbox; one that fails to
 * publish (Redis down) stays there with its delivery's later ones, and the sweep publishes them in `seq`
 * order; a worker that died leaves its rows to another worker's sweep, and two sweeps never take the same
 * rows.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createReadModelActivities } from '../../activities/read-model.js';
import { TransitionRelay } from '../../activities/transition-relay.js';
import type { DeliveryState, TransitionRecord } from '../../domain/delivery.js';
import { sql } from '../api/support.js';
import { useReadModelDatabase } from '../support/read-model.js';

const links = { uiUrl: 'http://localhost:8233', namespace: 'default' };
/** A group of the test's own, so the suite's worker never sweeps these rows (nor these relays its rows). */
const group = `relay-test-${randomUUID()}`;

describe('transition relay', () => {
  const db = useReadModelDatabase();

  /** A delivery's transitions 1..n, as the workflow hands them to `recordTransitions`. */
  function transitions(n: number): TransitionRecord[] {
    const id = randomUUID();
    const createdAt = new Date().toISOString();
    return Array.from({ length: n }, (_, i) => {
      const seq = i + 1;
      const snapshot: DeliveryState = {
        deliveryId: id, trackingCode: randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase(), customerId: db.customerId, status: seq === 1 ? 'QUOTED' : 'DISPATCHING',
        seq, delayed: false, priority: 'standard',
        pickup: { address: 'Pickup 1', lat: 52.5, lng: 13.4 }, dropoff: { address: 'Dropoff 2', lat: 52.51, lng: 13.41 },
        parcel: { weightKg: 1, lengthCm: 10, widthCm: 10, heightCm: 10 },
        quote: { amountCents: 990, currency: 'EUR', expiresAt: createdAt } as DeliveryState['quote'],
        driver: null, offer: null, declinedDriverIds: [], attempts: 0, eta: null, promisedBy: null, proof: null,
        cancellation: null, alerts: [], createdAt, updatedAt: new Date(Date.parse(createdAt) + seq).toISOString(),
      };
      return { deliveryId: id, seq, type: seq === 1 ? 'quoted' : 'offer_sent', at: snapshot.updatedAt, actor: { kind: 'system' }, data: { step: seq }, snapshot };
    });
  }

  /** A relay whose publishing fails while `down` is set, and what it published, as `id:seq`. */
  function relayOf(options: { staleAfterMs?: number } = {}) {
    const published: string[] = [];
    const state = { down: false };
    const relay = new TransitionRelay({
      sequelize: db.sequelize,
      group,
      staleAfterMs: options.staleAfterMs ?? 0,
      async publish(record) {
        if (state.down) throw new Error('redis is down');
        published.push(`${record.deliveryId}:${record.seq}`);
      },
    });
    return { relay, published, state, activities: createReadModelActivities({ sequelize: db.sequelize, links, hooks: [], relay }) };
  }

  const waiting = async (deliveryId: string) => (await sql<{ seq: number }>('SELECT seq FROM delivery_outbox WHERE delivery_id = $1 ORDER BY seq', [deliveryId])).map((r) => r.seq);

  it('publishes what it recorded at once, in seq order, and clears the outbox', async () => {
    const { relay, published, activities } = relayOf({ staleAfterMs: 60_000 });
    const [first, ...rest] = transitions(3);
    const id = first!.deliveryId;
    await activities.recordTransitions([first!]);
    await activities.recordTransitions(rest);
    await relay.stop();
    expect(published).toEqual([`${id}:1`, `${id}:2`, `${id}:3`]);
    expect(await waiting(id)).toEqual([]);
    // Recording the same transitions again (a retried activity) queues nothing new.
    await activities.recordTransitions(rest);
    await relay.stop();
    expect(published).toHaveLength(5);
    expect(await waiting(id)).toEqual([]);
  });

  it('keeps a transition it could not publish, and its later ones, until a sweep publishes them in order', async () => {
    const { relay, published, state, activities } = relayOf();
    const records = transitions(4);
    const id = records[0]!.deliveryId;
    await activities.recordTransitions(records.slice(0, 2));
    await relay.stop();
    state.down = true;
    await activities.recordTransitions([records[2]!]);
    await relay.stop();
    state.down = false;
    // Redis is back, but the delivery's next transition must not overtake the one still waiting.
    await activities.recordTransitions([records[3]!]);
    await relay.stop();
    expect(published).toEqual([`${id}:1`, `${id}:2`]);
    expect(await waiting(id)).toEqual([3, 4]);

    // While publishing still fails, each sweep tries again and hands the rows back for the next one.
    state.down = true;
    await relay.sweep();
    await relay.sweep();
    state.down = false;
    expect(await sql('SELECT seq, sweeps, claimed_until FROM delivery_outbox WHERE delivery_id = $1 ORDER BY seq', [id])).toEqual([
      { seq: 3, sweeps: 2, claimed_until: null },
      { seq: 4, sweeps: 2, claimed_until: null },
    ]);

    expect(await relay.sweep()).toBeGreaterThanOrEqual(2);
    await relay.stop();
    expect(published.filter((p) => p.startsWith(id))).toEqual([`${id}:1`, `${id}:2`, `${id}:3`, `${id}:4`]);
    expect(await waiting(id)).toEqual([]);
  });

  it("leaves a dead worker's transitions to another worker's sweep, and two sweeps share them out", async () => {
    // Recorded with an outbox row, then the worker died before it published anything.
    const { relay: dead, activities } = relayOf({ staleAfterMs: 60_000 });
    const deliveries = [transitions(3), transitions(2)];
    const deadPublish = dead.handOff.bind(dead);
    dead.handOff = () => {};
    for (const records of deliveries) await activities.recordTransitions(records);
    dead.handOff = deadPublish;
    for (const records of deliveries) expect(await waiting(records[0]!.deliveryId)).toEqual(records.map((r) => r.seq));

    const a = relayOf();
    const b = relayOf();
    await Promise.all([a.relay.sweep(), b.relay.sweep()]);
    await Promise.all([a.relay.stop(), b.relay.stop()]);
    for (const records of deliveries) {
      const id = records[0]!.deliveryId;
      const mine = (p: string) => p.startsWith(id);
      // Every transition once, and each delivery's in order, whichever relay took it.
      expect([...a.published.filter(mine), ...b.published.filter(mine)].sort()).toEqual(records.map((r) => `${id}:${r.seq}`));
      for (const side of [a.published, b.published]) {
        const seqs = side.filter(mine).map((p) => Number(p.split(':')[1]));
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
      expect(await waiting(id)).toEqual([]);
    }
  });
});
