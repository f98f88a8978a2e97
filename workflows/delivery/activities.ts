/** The activities a delivery calls, as the workflow sees them: types only, run by the worker. */
import { log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';

type Activities = ReturnType<typeof createActivities>;

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** AI calls have their own deadline and few retries: a fallback always exists. */
export const aiActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes: ['AI_UNUSABLE'] },
});

/**
 * The same activities run in the workflow task that asked for them: one marker in the history instead of
 * three events and a task of its own. Few quick tries; past them the caller falls back to `acts`, whose
 * retries are visible (a pending activity for `ops stuck`, alerts from the worker's guard).
 */
export const localActs = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

/**
 * A read the delivery's next step waits on (the candidate search), in the workflow task: when that task
 * answers an Update, the answer waits for it, so it gets one short try before the caller falls back to
 * `acts`.
 */
export const localReads = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 seconds',
  retry: { maximumAttempts: 1 },
});

/** A local activity, or, once its quick tries are spent, the same work as a retried activity. */
export async function locallyFirst<R>(what: string, local: () => Promise<R>, durable: () => Promise<R>): Promise<R> {
  try {
    return await local();
  } catch (err) {
    log.warn(`${what} failed in the workflow task; retrying it as an activity`, { error: String(err) });
    return durable();
  }
}
