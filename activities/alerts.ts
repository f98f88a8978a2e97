/**
 * The one way the worker raises an alert that is not a transition of a delivery (an activity failing
 * again and again, a change the database refused). Everything that raises such an alert calls this, so
 * where the alert goes (the board's socket room today, a table of alerts as well tomorrow) is decided here.
 */
import type { Logger } from 'pino';
import type { AlertEvent } from '../domain/events.js';
import type { LivePublisher } from '../adapters/live-publisher.js';

export type RaiseAlert = (alert: AlertEvent) => Promise<void>;

export function boardAlerts(live: Pick<LivePublisher, 'publishAlert'> | undefined, log?: Pick<Logger, 'warn' | 'error'>): RaiseAlert {
  return async (alert) => {
    // Logged as well: the on-call engineer finds it in the logs when no board is open.
    log?.error({ alert }, 'delivery alert');
    if (!live) return;
    // An alert that cannot be pushed (Redis down) must not turn into a failure of its own.
    await live.publishAlert(alert).catch((err: Error) => log?.warn({ err: err.message, alert }, 'alert not pushed to the board'));
  };
}
