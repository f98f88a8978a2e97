/** The read-model hook that pushes each committed transition to the live rooms (DESIGN §3, §6). */
import type { LivePublisher } from '../adapters/live-publisher.js';
import type { Database } from '../db/connection.js';
import { alertsChangedBy } from '../db/alerts.js';
import { mayChangeAlerts } from '../domain/alerts.js';
import { loadTrackingView } from '../db/tracking.js';
import type { TransitionHook } from './read-model.js';

/**
 * Emits each committed transition. With the read model at hand it also sends the public tracking view;
 * a failed publish fails the activity, whose retry re-emits the same `seq` (clients drop the duplicate).
 */
export function liveTransitionHook(live: LivePublisher, readModel?: { sequelize: Database }): TransitionHook {
  return async (record, delivery) => {
    const tracking = readModel ? await loadTrackingView(readModel.sequelize, { id: delivery.id }) : null;
    await live.publishDelivery(delivery, record, tracking?.view ?? null);
    // Alerts raised or resolved by this transition; a retry announces them again, and boards keep the latest.
    if (readModel && mayChangeAlerts(record.type, record.snapshot)) {
      for (const alert of await alertsChangedBy(readModel.sequelize, delivery.id, record.seq)) await live.publishAlert(alert);
    }
  };
}
