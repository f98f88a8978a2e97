/**
 * Every activity runs inside this guard, so no delivery can be stuck silently:
 * - a database data error (SQLSTATE class 22: a value Postgres refuses, such as a NUL in text) will be
 *   refused on every retry, so it becomes a non-retryable `DATA_REJECTED` failure at once, and an alert;
 * - any other failure is left to the retry policy, but its Nth attempt in a row raises an alert and
 *   counts in `delivery_activity_stuck_total`.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, type Registry } from 'prom-client';
import type { RaiseAlert } from '../activities/alerts.js';
import { DATA_REJECTED } from '../domain/delivery.js';

/** The SQLSTATE of a database error, looked for where Sequelize and pg put it. */
function sqlStateOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, parent, original, cause } = e as { code?: unknown; parent?: unknown; original?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    queue.push(parent, original, cause);
  }
  return undefined;
}

/** Class 22 (data exception): the same statement with the same values fails the same way every time. */
export const isPermanentDataError = (err: unknown): boolean => sqlStateOf(err)?.startsWith('22') ?? false;

const deliveryIdOf = (workflowId: string) => (workflowId.startsWith('delivery-') ? workflowId.slice('delivery-'.length) : workflowId);

export interface ActivityGuardMetrics {
  stuck: Counter<'activity'>;
  rejected: Counter<'activity'>;
}

export function createActivityGuardMetrics(registry: Registry): ActivityGuardMetrics {
  return {
    stuck: new Counter({
      name: 'delivery_activity_stuck_total',
      help: 'Activities that failed ACTIVITY_ALERT_AFTER_ATTEMPTS times in a row (each raised an alert on the board)',
      labelNames: ['activity'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'delivery_activity_data_rejected_total',
      help: 'Activities the database refused for good (SQLSTATE class 22), failed without retry',
      labelNames: ['activity'] as const,
      registers: [registry],
    }),
  };
}

export interface ActivityGuardOptions {
  alertAfterAttempts: number;
  raise: RaiseAlert;
  metrics?: ActivityGuardMetrics;
}

export function activityGuard(options: ActivityGuardOptions): ActivityInterceptorsFactory {
  return (ctx: Context) => {
    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          const { activityType, attempt, workflowExecution } = ctx.info;
          const deliveryId = deliveryIdOf(workflowExecution?.workflowId ?? '');
          const message = err instanceof Error ? err.message : String(err);
          if (isPermanentDataError(err)) {
            options.metrics?.rejected.inc({ activity: activityType });
            await options.raise({
              deliveryId,
              kind: 'record_rejected',
              message: `${activityType} refused by the database for good (${sqlStateOf(err)}): ${message.slice(0, 200)}`,
              at: new Date().toISOString(),
            });
            throw ApplicationFailure.create({ type: DATA_REJECTED, message, nonRetryable: true, details: [{ sqlState: sqlStateOf(err), activity: activityType }] });
          }
          if (attempt === options.alertAfterAttempts) {
            options.metrics?.stuck.inc({ activity: activityType });
            await options.raise({
              deliveryId,
              kind: 'activity_failing',
              message: `${activityType} has failed ${attempt} times in a row and is still retrying: ${message.slice(0, 200)}`,
              at: new Date().toISOString(),
            });
          }
          // A database error carries its statement with every value in it (names, addresses): the retry
          // and the worker's log get its message and SQLSTATE only.
          const sqlState = sqlStateOf(err);
          if (sqlState) throw ApplicationFailure.retryable(`${message} (SQLSTATE ${sqlState})`, 'DATABASE_ERROR');
          throw err;
        }
      },
    };
    return { inbound };
  };
}
