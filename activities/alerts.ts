/**
 * The one way the worker raises an alert that is not a transition of a delivery (an activity failing
 * again and again, a change the database refused): kept in the read model's alerts, so a board opened
 * later lists it, and pushed to the boards open now.
 */
import type { Logger } from 'pino';
import type { LivePublisher } from '../adapters/live-publisher.js';
import type { Database } from '../db/connection.js';
import { raiseAlert } from '../db/alerts.js';
import type { AlertEvent } from '../domain/events.js';

export type RaiseAlert = (alert: AlertEvent) => Promise<void>;

export function boardAlerts(
  deps: { live?: Pick<LivePublisher, 'publishAlert' | 'publishAlertRaised'>; sequelize?: Database },
  log?: Pick<Logger, 'warn' | 'error'>,
): RaiseAlert {
  return async (alert) => {
    // Logged as well: the on-call engineer finds it in the logs when no board is open.
    log?.error({ alert }, 'delivery alert');
    // Neither a refused write nor a push that cannot happen (Redis down) may turn into a failure of its own.
    const record = deps.sequelize
      ? await raiseAlert(deps.sequelize, alert).catch((err: Error) => {
          log?.warn({ err: err.message, alert }, 'alert not kept in the read model');
          return null;
        })
      : null;
    if (!deps.live) return;
    const pushed = record ? deps.live.publishAlert(record) : Promise.resolve();
    await Promise.all([pushed, deps.live.publishAlertRaised(alert)]).catch((err: Error) => log?.warn({ err: err.message, alert }, 'alert not pushed to the board'));
  };
}
