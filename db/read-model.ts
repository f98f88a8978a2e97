/**
 * The read model's writes: a delivery's row and timeline follow its workflow's transitions, idempotent
 * and ordered by `seq` (a write with a `seq` not above the stored one changes nothing).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Booking, TransitionRecord } from '../domain/delivery.js';
import { bookingFromRow } from './deliveries.js';

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

/**
 * The same, and the transition queued in the outbox for the relay to publish; only a first recording
 * queues it (a repeat finds the event there and queues nothing).
 */
const recordAndQueue = (also = '') => `
  WITH delivery AS (${UPSERT_DELIVERY} RETURNING 1),${also}
  event AS (
    INSERT INTO delivery_events (delivery_id, seq, type, at, actor, data)
    VALUES (:id, :eventSeq, :type, :at, :actor, :data)
    ON CONFLICT (delivery_id, seq) DO NOTHING
    RETURNING 1)
  INSERT INTO delivery_outbox (delivery_id, seq, record, relay_group)
  SELECT CAST(:id AS uuid), CAST(:eventSeq AS integer), CAST(:record AS jsonb), :relayGroup WHERE EXISTS (SELECT 1 FROM event)
  ON CONFLICT (delivery_id, seq) DO NOTHING`;
const RECORD_AND_QUEUE_TRANSITION = recordAndQueue();
/** The same, and the Update in flight whose answer it is closed (db/updates-in-flight.ts). */
const RECORD_QUEUE_AND_CLOSE = recordAndQueue(`
  closed AS (DELETE FROM delivery_updates_in_flight WHERE id = CAST(:closes AS uuid)),`);

/**
 * The row and its timeline event of one transition, together (one statement). Safe to repeat. With
 * `queueFor`, the transition also goes to that relay group's outbox (db/transition-outbox.ts) in that
 * statement; with `closes` as well, that Update in flight is closed by it.
 */
export async function recordTransition(sequelize: Sequelize, record: TransitionRecord, options: { queueFor?: string; closes?: string } = {}): Promise<void> {
  const s = record.snapshot;
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const statement = !options.queueFor ? RECORD_TRANSITION : options.closes ? RECORD_QUEUE_AND_CLOSE : RECORD_AND_QUEUE_TRANSITION;
  await sequelize.query(statement, {
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
      ...(options.queueFor ? { record: JSON.stringify(record), relayGroup: options.queueFor } : {}),
      ...(options.queueFor && options.closes ? { closes: options.closes } : {}),
    },
  });
}

/** Compensation: the quote can no longer be charged. Safe to repeat. */
export async function voidQuote(sequelize: Sequelize, deliveryId: string): Promise<void> {
  await sequelize.query(
    `UPDATE deliveries SET quote = jsonb_set(quote, '{voidedAt}', to_jsonb(now())) WHERE id = :deliveryId AND quote->>'voidedAt' IS NULL`,
    { replacements: { deliveryId } },
  );
}

const BOOKING_OF = `
  SELECT tracking_code AS "trackingCode", customer_id AS "customerId", organization_id AS "organizationId", client_reference AS "clientReference",
    priority, pickup, dropoff, parcel, notes, quote, created_at AS "createdAt", pickup_window AS "pickupWindow",
    dropoff_window AS "dropoffWindow", dispatch_at AS "dispatchAt", code_required AS "codeRequired", leave_at_door AS "leaveAtDoor"
  FROM deliveries WHERE id = :id`;

/** What a delivery was booked with, as its row keeps it; undefined when it has no row. */
export async function bookingOf(sequelize: Sequelize, deliveryId: string): Promise<Booking | undefined> {
  const [row] = await sequelize.query<Parameters<typeof bookingFromRow>[0]>(BOOKING_OF, { type: QueryTypes.SELECT, replacements: { id: deliveryId } });
  return row ? bookingFromRow(row) : undefined;
}

/** Every delivery the read model holds. */
export async function deliveryIds(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>('SELECT id FROM deliveries', { type: QueryTypes.SELECT });
  return rows.map((r) => r.id);
}

/** Where the read model has a delivery: its row's status and seq (null without a row), and its timeline's seqs in order. */
export async function readModelPosition(sequelize: Sequelize, deliveryId: string): Promise<{ row: { status: string; seq: number } | null; eventSeqs: number[] }> {
  const [row] = await sequelize.query<{ status: string; seq: number }>('SELECT status, seq FROM deliveries WHERE id = :id', { replacements: { id: deliveryId }, type: QueryTypes.SELECT });
  const events = await sequelize.query<{ seq: number }>('SELECT seq FROM delivery_events WHERE delivery_id = :id ORDER BY seq', { replacements: { id: deliveryId }, type: QueryTypes.SELECT });
  return { row: row ?? null, eventSeqs: events.map((e) => e.seq) };
}
