/**
 * The promises checked after the load has drained: every delivery a customer was told exists ends
 * DELIVERED with its read model equal to its workflow's state (none lost), no booking made twice and no
 * milestone or notification applied twice (none duplicated), and every timeline runs 1..n (no seq gap).
 */
import { Client, Connection } from '@temporalio/client';
import type { Delivery, TimelineEvent } from '../../../domain/delivery.js';
import { stateQuery } from '../../../workflows/messages.js';
import type { Actor } from './actors.js';
import type { ScreenEvent } from './screens.js';
import type { Booking } from './users.js';

const MILESTONES = ['arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered'];

export interface DeliveryVerdict {
  id: string;
  bookedAt: number;
  /** When its last timeline event happened (or the end of the run when it never settled). */
  settledAt: number;
  lost: string | undefined;
  duplicated: string[];
  gaps: number[];
  /** Seqs of its timeline no dispatcher board received as a live event (its refetch covered them). */
  missedLive: Array<{ seq: number; at: number }>;
}

export interface Verdicts {
  deliveries: DeliveryVerdict[];
  /** Deliveries of the load's customers that no booking was answered with: a booking applied twice. */
  unknown: string[];
  /** Bookings never answered 201 despite retrying with their key. */
  unanswered: number;
}

async function listCustomerDeliveries(dispatcher: Actor, customerId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: Delivery[]; nextCursor: string | null } } = await dispatcher.call('GET', `/api/v1/deliveries?customerId=${customerId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (page.status !== 200) throw new Error(`listing deliveries of ${customerId}: ${page.status}`);
    ids.push(...page.body.items.map((d) => d.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

export async function verifyDeliveries(options: {
  bookings: Booking[];
  customers: Actor[];
  dispatcher: Actor;
  temporalAddress: string;
  boardEvents: ScreenEvent[][];
  endedAt: number;
}): Promise<Verdicts> {
  const { bookings, dispatcher } = options;
  const connection = await Connection.connect({ address: options.temporalAddress });
  const client = new Client({ connection, namespace: 'default' });
  const seenLive = options.boardEvents.map((events) => new Set(events.map((e) => `${e.deliveryId}#${e.seq}`)));
  const verdicts: DeliveryVerdict[] = [];
  try {
    for (const booking of bookings) {
      if (!booking.id) continue;
      const id = booking.id;
      const res = await dispatcher.call<Delivery & { timeline: TimelineEvent[] }>('GET', `/api/v1/deliveries/${id}`);
      const verdict: DeliveryVerdict = { id, bookedAt: booking.sentAt, settledAt: options.endedAt, lost: undefined, duplicated: [], gaps: [], missedLive: [] };
      verdicts.push(verdict);
      if (res.status !== 200) {
        verdict.lost = `read model answered ${res.status}`;
        continue;
      }
      const d = res.body;
      const timeline = d.timeline ?? [];
      if (d.status === 'DELIVERED' && timeline.length) verdict.settledAt = Date.parse(timeline.at(-1)!.at);
      const seqs = timeline.map((e) => e.seq);
      verdict.gaps = seqs.filter((s, i) => s !== i + 1);
      if (d.seq !== seqs.length) verdict.gaps.push(d.seq);
      for (const type of MILESTONES) {
        const count = timeline.filter((e) => e.type === type).length;
        if (count > 1) verdict.duplicated.push(`${type} ×${count}`);
      }
      const state = await client.workflow.getHandle(`delivery-${id}`).query(stateQuery).catch((err: Error) => err);
      if (state instanceof Error) verdict.lost = `workflow not answering: ${state.message}`;
      else if (d.status !== 'DELIVERED') verdict.lost = `ended ${d.status}`;
      else if (state.status !== d.status || state.seq !== d.seq) verdict.lost = `read model ${d.status}#${d.seq}, workflow ${state.status}#${state.seq}`;
      const notices = await dispatcher.call<{ items: Array<{ template: string }> }>('GET', `/api/v1/notifications?deliveryId=${id}`);
      if (notices.status === 200) {
        const templates = notices.body.items.map((n) => n.template);
        // One `offer` notice per offer made (domain/notifications.ts); every other template once per delivery.
        const offers = timeline.filter((e) => e.type === 'offer_sent').length;
        for (const template of new Set(templates)) {
          const count = templates.filter((t) => t === template).length;
          if (count > (template === 'offer' ? offers : 1)) verdict.duplicated.push(`notification ${template} ×${count}`);
        }
      }
      verdict.missedLive = timeline.filter((e) => seenLive.some((seen) => !seen.has(`${id}#${e.seq}`))).map((e) => ({ seq: e.seq, at: Date.parse(e.at) }));
    }
  } finally {
    await connection.close();
  }
  const known = new Set(bookings.map((b) => b.id).filter(Boolean));
  const unknown: string[] = [];
  for (const customer of options.customers) {
    for (const id of await listCustomerDeliveries(dispatcher, customer.user!.id)) if (!known.has(id)) unknown.push(id);
  }
  return { deliveries: verdicts, unknown, unanswered: bookings.filter((b) => !b.id).length };
}
