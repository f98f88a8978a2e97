/**
 * Writes a delivery's transitions to the read model, in `seq` order: each one's row, timeline event and,
 * with `queueFor`, outbox row in one statement (db/read-model.ts), then the alerts it raises or clears.
 * Safe to repeat. Used by the worker's recording activity and by the API for a person's change.
 */
import type { Sequelize } from 'sequelize';
import { mayChangeAlerts } from '../domain/alerts.js';
import type { TransitionRecord } from '../domain/delivery.js';
import { raiseAlert, resolveClearedAlerts } from './alerts.js';
import { recordTransition } from './read-model.js';

/** `closes`: the Update in flight these transitions answer, closed by the last one's statement. */
export async function writeTransitions(sequelize: Sequelize, records: TransitionRecord[], options: { queueFor?: string; closes?: string } = {}): Promise<void> {
  for (const [i, record] of records.entries()) {
    await recordTransition(sequelize, record, { queueFor: options.queueFor, ...(i === records.length - 1 && options.closes ? { closes: options.closes } : {}) });
    await writeAlerts(sequelize, record);
  }
}

/** The read model's alerts follow the timeline: raised by alert transitions, resolved when their cause clears. */
export async function writeAlerts(sequelize: Sequelize, record: TransitionRecord): Promise<void> {
  if (!mayChangeAlerts(record.type, record.snapshot)) return;
  if (record.type === 'alert') {
    const { kind, message } = record.data as { kind: string; message: string };
    await raiseAlert(sequelize, { deliveryId: record.deliveryId, seq: record.seq, kind, message, at: record.at });
  }
  await resolveClearedAlerts(sequelize, record.snapshot, record.seq);
}
