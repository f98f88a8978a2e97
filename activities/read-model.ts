/** Writes a delivery's transitions into the Postgres read model: idempotent and ordered by `seq`. */
import { ApplicationFailure } from '@temporalio/activity';
import { QueryTypes, type Sequelize } from 'sequelize';
import { BOOKING_FIELDS, DATA_REJECTED, withBooking, type Booking, type Delivery, type SlimTransitionRecord, type TransitionRecord } from '../domain/delivery.js';
import { raiseAlert, resolveClearedAlerts } from '../db/alerts.js';
import { deliveryFromState, type TemporalLinks } from '../db/deliveries.js';

/** Runs after a transition has committed; must tolerate being called twice for the same seq. */
export type TransitionHook = (record: TransitionRecord, delivery: Delivery) => Promise<void>;

export interface ReadModelDeps {
  sequelize: Sequelize;
  links: TemporalLinks;
  hooks: TransitionHook[];
}

const UPSERT_DELIVERY = `
  INSERT INTO deliveries AS d (id, tracking_code, customer_id, organization_id, client_reference, status, seq, delayed, priority, pickup, dropoff, parcel,
    notes, quote, driver_id, driver_name, offered_driver_id, offer_expires_at, eta, promised_by, attempts, proof,
    cancellation, workflow_id, created_at, updated_at, pickup_window, dropoff_window, dispatch_at, code_required, leave_at_door)
  VALUES (:id, :trackingCode, :customerId, :organizationId, :reference, :status, :seq, :delayed, :priority, :pickup, :dropoff, :parcel,
    :notes, :quote, :driverId, :driverName, :offeredDriverId, :offerExpiresAt, :eta, :promisedBy, :attempts, :proof,
    :cancellation, :workflowId, :createdAt, :updatedAt, :pickupWindow, :dropoffWindow, :dispatchAt, :codeRequired, :leaveAtDoor)
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status, seq = EXCLUDED.seq, delayed = EXCLUDED.delayed, quote = EXCLUDED.quote,
    driver_id = EXCLUDED.driver_id, driver_name = EXCLUDED.driver_name, offered_driver_id = EXCLUDED.offered_driver_id,
    offer_expires_at = EXCLUDED.offer_expires_at, eta = EXCLUDED.eta, promised_by = EXCLUDED.promised_by,
    attempts = EXCLUDED.attempts, proof = EXCLUDED.proof, cancellation = EXCLUDED.cancellation,
    updated_at = EXCLUDED.updated_at
  WHERE d.seq < EXCLUDED.seq`;
// Windows and the code rule are fixed at booking: the first insert writes them.

/**
 * The row and its timeline event in one statement, so one round trip instead of a transaction's four
 * (BEGIN, two statements, COMMIT). A statement is atomic on its own, and the event's foreign key sees the
 * row inserted by the same statement.
 */
const RECORD_TRANSITION = `
  WITH delivery AS (${UPSERT_DELIVERY} RETURNING 1)
  INSERT INTO delivery_events (delivery_id, seq, type, at, actor, data)
  VALUES (:id, :eventSeq, :type, :at, :actor, :data)
  ON CONFLICT (delivery_id, seq) DO NOTHING`;

const BOOKING_OF = `
  SELECT tracking_code AS "trackingCode", customer_id AS "customerId", organization_id AS "organizationId", client_reference AS reference,
    priority, pickup, dropoff, parcel, notes, quote, created_at AS "createdAt", pickup_window AS "pickupWindow",
    dropoff_window AS "dropoffWindow", dispatch_at AS "dispatchAt", code_required AS "codeRequired", leave_at_door AS "leaveAtDoor"
  FROM deliveries WHERE id = :id`;
/** Bookings never change, so a worker keeps the latest ones it met rather than read them per transition. */
const BOOKINGS_KEPT = 2000;

export function createReadModelActivities({ sequelize, links, hooks }: ReadModelDeps) {
  const bookings = new Map<string, Booking>();
  function keepBooking(deliveryId: string, booking: Booking): void {
    bookings.delete(deliveryId);
    bookings.set(deliveryId, booking);
    if (bookings.size > BOOKINGS_KEPT) bookings.delete(bookings.keys().next().value!);
  }

  /** A transition with its whole snapshot: slim ones get their booking back from the cache or the row. */
  async function complete(record: TransitionRecord | SlimTransitionRecord): Promise<TransitionRecord> {
    if ('snapshot' in record) {
      keepBooking(record.deliveryId, Object.fromEntries(BOOKING_FIELDS.map((f) => [f, record.snapshot[f]])) as Booking);
      return record;
    }
    let booking = bookings.get(record.deliveryId);
    if (!booking) {
      const [row] = await sequelize.query<Record<string, unknown>>(BOOKING_OF, { type: QueryTypes.SELECT, replacements: { id: record.deliveryId } });
      // Its first transition was refused for good, so there is no booking to complete this one with.
      if (!row) throw ApplicationFailure.create({ type: DATA_REJECTED, message: `delivery ${record.deliveryId} has no row to record seq ${record.seq} on`, nonRetryable: true });
      const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));
      booking = {
        ...(row as unknown as Booking),
        organizationId: (row.organizationId as string | null) ?? undefined,
        reference: (row.reference as string | null) ?? undefined,
        notes: (row.notes as string | null) ?? undefined,
        createdAt: iso(row.createdAt)!,
        dispatchAt: iso(row.dispatchAt),
      };
      keepBooking(record.deliveryId, booking);
    }
    return withBooking(record, booking);
  }

  async function publish(record: TransitionRecord): Promise<void> {
    const delivery = deliveryFromState(record.snapshot, links);
    for (const hook of hooks) await hook(record, delivery);
  }

  /** The read model's alerts follow the timeline: raised by alert transitions, resolved when their cause clears. */
  async function recordAlerts(record: TransitionRecord): Promise<void> {
    if (record.type === 'alert') {
      const { kind, message } = record.data as { kind: string; message: string };
      await raiseAlert(sequelize, { deliveryId: record.deliveryId, seq: record.seq, kind, message, at: record.at });
    }
    await resolveClearedAlerts(sequelize, record.snapshot, record.seq);
  }

  return {
    /**
     * The row and its timeline event, together (one statement). Deliveries started before the separate
     * publish step existed also run the live and notification hooks here.
     */
    async recordTransition(transition: TransitionRecord | SlimTransitionRecord, options: { publishSeparately?: boolean } = {}): Promise<void> {
      const record = await complete(transition);
      const s = record.snapshot;
      const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
      await sequelize.query(RECORD_TRANSITION, {
        replacements: {
          id: s.deliveryId,
          trackingCode: s.trackingCode,
          customerId: s.customerId,
          organizationId: s.organizationId ?? null,
          reference: s.reference ?? null,
          status: s.status,
          seq: s.seq,
          delayed: s.delayed,
          priority: s.priority,
          pickup: json(s.pickup),
          dropoff: json(s.dropoff),
          parcel: json(s.parcel),
          notes: s.notes ?? null,
          quote: json(s.quote),
          driverId: s.driver?.id ?? null,
          driverName: s.driver?.name ?? null,
          offeredDriverId: s.offer?.driverId ?? null,
          offerExpiresAt: s.offer?.expiresAt ?? null,
          eta: s.eta,
          promisedBy: s.promisedBy,
          attempts: s.attempts,
          proof: json(s.proof),
          cancellation: json(s.cancellation),
          workflowId: `delivery-${s.deliveryId}`,
          createdAt: s.createdAt,
          updatedAt: s.updatedAt,
          pickupWindow: json(s.pickupWindow),
          dropoffWindow: json(s.dropoffWindow),
          dispatchAt: s.dispatchAt ?? null,
          codeRequired: s.codeRequired ?? false,
          leaveAtDoor: s.leaveAtDoor ?? false,
          eventSeq: record.seq,
          type: record.type,
          at: record.at,
          actor: JSON.stringify(record.actor),
          data: JSON.stringify(record.data),
        },
      });
      await recordAlerts(record);
      if (!options.publishSeparately) await publish(record);
    },

    /** Live updates and notifications for a committed transition; retried on its own while Redis is down. */
    async publishTransition(transition: TransitionRecord | SlimTransitionRecord): Promise<void> {
      await publish(await complete(transition));
    },

    /** Compensation: the quote can no longer be charged. Safe to repeat. */
    async voidQuote({ deliveryId }: { deliveryId: string }): Promise<void> {
      await sequelize.query(
        `UPDATE deliveries SET quote = jsonb_set(quote, '{voidedAt}', to_jsonb(now())) WHERE id = :deliveryId AND quote->>'voidedAt' IS NULL`,
        { replacements: { deliveryId } },
      );
    },
  };
}
