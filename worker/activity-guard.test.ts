import { ApplicationFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../domain/events.js';
import { activityGuard, createActivityGuardMetrics, isPermanentDataError } from './activity-guard.js';

/** What Sequelize throws for a value Postgres refuses: the pg error with its SQLSTATE sits in `parent`. */
const sequelizeError = (code: string) => Object.assign(new Error('unsupported Unicode escape sequence'), { name: 'SequelizeDatabaseError', parent: { code } });

function guarded(attempt: number, failure: unknown) {
  const raised: AlertEvent[] = [];
  const registry = new Registry();
  const metrics = createActivityGuardMetrics(registry);
  const factory = activityGuard({ alertAfterAttempts: 5, raise: async (a) => void raised.push(a), metrics });
  const ctx = { info: { activityType: 'recordTransition', attempt, workflowExecution: { workflowId: 'delivery-d1', runId: 'r' } } } as unknown as Context;
  const run = factory(ctx).inbound!.execute!({ args: [], headers: {} } as never, async () => {
    throw failure;
  });
  return { run, raised, registry };
}

describe('activity guard', () => {
  it('knows a data exception (class 22) from other database errors', () => {
    expect(isPermanentDataError(sequelizeError('22P05'))).toBe(true);
    expect(isPermanentDataError(sequelizeError('22021'))).toBe(true);
    expect(isPermanentDataError(sequelizeError('40001'))).toBe(false);
    expect(isPermanentDataError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('fails a refused write at once, without retry, with an alert and a metric', async () => {
    const { run, raised, registry } = guarded(1, sequelizeError('22P05'));
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'DATA_REJECTED', nonRetryable: true });
    expect(raised).toEqual([expect.objectContaining({ deliveryId: 'd1', kind: 'record_rejected' })]);
    expect(await registry.metrics()).toMatch(/delivery_activity_data_rejected_total\{activity="recordTransition"\} 1/);
  });

  it('leaves other failures to the retry policy and alerts once, on the Nth attempt in a row', async () => {
    const transient = sequelizeError('40001');
    // Retried with its message and SQLSTATE, without the statement and its values.
    const retried = { type: 'DATABASE_ERROR', nonRetryable: false, message: expect.stringContaining('(SQLSTATE 40001)') };
    for (const attempt of [1, 4, 6]) {
      const { run, raised } = guarded(attempt, transient);
      await expect(run).rejects.toMatchObject(retried);
      expect(raised).toEqual([]);
    }
    const { run, raised, registry } = guarded(5, transient);
    await expect(run).rejects.toMatchObject(retried);
    expect(raised).toEqual([expect.objectContaining({ deliveryId: 'd1', kind: 'activity_failing', message: expect.stringContaining('failed 5 times in a row') })]);
    expect(await registry.metrics()).toMatch(/delivery_activity_stuck_total\{activity="recordTransition"\} 1/);
  });
});
