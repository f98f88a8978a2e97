/** Writes a delivery's transitions into the Postgres read model: idempotent and ordered by `seq`. */
import { ApplicationFailure } from '@temporalio/activity';
import { bookingOfState, DATA_REJECTED, withBooking, type Booking, type Delivery, type SlimTransitionRecord, type TransitionRecord } from '../domain/delivery.js';
import { writeAlerts, writeTransitions } from '../db/transition-writer.js';
import type { Database } from '../db/connection.js';
import { deliveryFromState, type TemporalLinks } from '../db/deliveries.js';
import * as readModel from '../db/read-model.js';
import type { TransitionRelay } from './transition-relay.js';

/** Runs after a transition has committed; must tolerate being called twice for the same seq. */
export type TransitionHook = (record: TransitionRecord, delivery: Delivery) => Promise<void>;

export interface ReadModelDeps {
  sequelize: Database;
  links: TemporalLinks;
  hooks: TransitionHook[];
  /** Publishes what `recordTransitions` recorded; without one, it publishes before answering. */
  relay?: Pick<TransitionRelay, 'handOff' | 'group'>;
}

/** Runs every hook on a committed transition, in order. */
export function publisherFor(links: TemporalLinks, hooks: TransitionHook[]): (record: TransitionRecord) => Promise<void> {
  return async (record) => {
    const delivery = deliveryFromState(record.snapshot, links);
    for (const hook of hooks) await hook(record, delivery);
  };
}

/** Bookings never change, so a worker keeps the latest ones it met rather than read them per transition. */
const BOOKINGS_KEPT = 2000;

export function createReadModelActivities({ sequelize, links, hooks, relay }: ReadModelDeps) {
  const bookings = new Map<string, Booking>();
  function keepBooking(deliveryId: string, booking: Booking): void {
    bookings.delete(deliveryId);
    bookings.set(deliveryId, booking);
    if (bookings.size > BOOKINGS_KEPT) bookings.delete(bookings.keys().next().value!);
  }

  /** A transition with its whole snapshot: slim ones get their booking back from the cache or the row. */
  async function complete(record: TransitionRecord | SlimTransitionRecord): Promise<TransitionRecord> {
    if ('snapshot' in record) {
      keepBooking(record.deliveryId, bookingOfState(record.snapshot));
      return record;
    }
    let booking = bookings.get(record.deliveryId);
    if (!booking) {
      booking = await readModel.bookingOf(sequelize, record.deliveryId);
      // Its first transition was refused for good, so there is no booking to complete this one with.
      if (!booking) throw ApplicationFailure.create({ type: DATA_REJECTED, message: `delivery ${record.deliveryId} has no row to record seq ${record.seq} on`, nonRetryable: true });
      keepBooking(record.deliveryId, booking);
    }
    return withBooking(record, booking);
  }

  const publish = publisherFor(links, hooks);

  return {
    /**
     * The row and its timeline event, together (one statement). Deliveries started before the separate
     * publish step existed also run the live and notification hooks here.
     */
    async recordTransition(transition: TransitionRecord | SlimTransitionRecord, options: { publishSeparately?: boolean } = {}): Promise<void> {
      const record = await complete(transition);
      await readModel.recordTransition(sequelize, record);
      await writeAlerts(sequelize, record);
      if (!options.publishSeparately) await publish(record);
    },

    /**
     * A workflow task's transitions, in `seq` order, each with its outbox row; then handed to the relay,
     * which publishes them without holding up the answer. Run as a local activity first, so recording
     * adds one marker to the history and no task of its own.
     */
    async recordTransitions(transitions: Array<TransitionRecord | SlimTransitionRecord>): Promise<void> {
      const records: TransitionRecord[] = [];
      for (const transition of transitions) records.push(await complete(transition));
      await writeTransitions(sequelize, records, relay ? { queueFor: relay.group } : {});
      if (relay) relay.handOff(records);
      else for (const record of records) await publish(record);
    },

    /** Live updates and notifications for a committed transition; retried on its own while Redis is down. */
    async publishTransition(transition: TransitionRecord | SlimTransitionRecord): Promise<void> {
      await publish(await complete(transition));
    },

    /** Compensation: the quote can no longer be charged. Safe to repeat. */
    async voidQuote({ deliveryId }: { deliveryId: string }): Promise<void> {
      await readModel.voidQuote(sequelize, deliveryId);
    },
  };
}
