/** Writes a delivery's transitions into the Postgres read model: idempotent and ordered by `seq`. */
import type { Delivery, TransitionRecord } from '../domain/delivery.js';
import { raiseAlert, resolveClearedAlerts } from '../db/alerts.js';
import type { Database } from '../db/connection.js';
import { deliveryFromState, type TemporalLinks } from '../db/deliveries.js';
import * as readModel from '../db/read-model.js';

/** Runs after a transition has committed; must tolerate being called twice for the same seq. */
export type TransitionHook = (record: TransitionRecord, delivery: Delivery) => Promise<void>;

export interface ReadModelDeps {
  sequelize: Database;
  links: TemporalLinks;
  hooks: TransitionHook[];
}

export function createReadModelActivities({ sequelize, links, hooks }: ReadModelDeps) {
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
    async recordTransition(record: TransitionRecord, options: { publishSeparately?: boolean } = {}): Promise<void> {
      await readModel.recordTransition(sequelize, record);
      await recordAlerts(record);
      if (!options.publishSeparately) await publish(record);
    },

    /** Live updates and notifications for a committed transition; retried on its own while Redis is down. */
    async publishTransition(record: TransitionRecord): Promise<void> {
      await publish(record);
    },

    /** Compensation: the quote can no longer be charged. Safe to repeat. */
    async voidQuote({ deliveryId }: { deliveryId: string }): Promise<void> {
      await readModel.voidQuote(sequelize, deliveryId);
    },
  };
}
