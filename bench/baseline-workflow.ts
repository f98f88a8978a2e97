/**
 * B1's baseline: a bare workflow with the delivery's shape and none of its logic. The same seven Updates
 * (create's first one included) and the same activities, all no-ops: each of the eight transitions is
 * recorded by one activity (the Update answers after it) and published by another behind it, and dispatch
 * runs one more (find candidates) between accepting the quote and the offer.
 *
 * Frozen: this is the shape deliveries had when B1 was set up (7 Updates, 17 activities), so B1's ratio
 * says how far the product has moved from it. B1 checks the shape in every run (`FROZEN_SHAPE`) and
 * refuses to report against a changed one.
 */
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export const BASELINE_STEPS = ['quoteRecorded', 'acceptQuote', 'acceptOffer', 'arrivedAtPickup', 'confirmPickup', 'arrivedAtDropoff', 'confirmDelivery'] as const;
export type BaselineStep = (typeof BASELINE_STEPS)[number];

/** What each history of this workflow holds; B1 fails rather than compare against anything else. */
export const FROZEN_SHAPE = { activities: 17, updates: 7 } as const;

export const stepUpdate = defineUpdate<number, [BaselineStep]>('step');

const { noop } = proxyActivities<{ noop(step: string): Promise<void> }>({ startToCloseTimeout: '20 seconds' });

export async function baselineWorkflow(): Promise<number> {
  let seq = 0;
  let offered = false;
  let done = false;
  const unpublished: string[] = [];

  async function record(step: string): Promise<void> {
    seq += 1;
    await noop(`record ${step}`);
    unpublished.push(step);
  }

  void (async () => {
    for (;;) {
      await condition(() => unpublished.length > 0);
      await noop(`publish ${unpublished[0]}`);
      unpublished.shift();
    }
  })();

  setHandler(stepUpdate, async (step) => {
    // Like accepting an offer, which needs one to have been sent.
    if (step === 'acceptOffer') await condition(() => offered);
    await record(step);
    if (step === 'acceptQuote') {
      void (async () => {
        await noop('findCandidates');
        await record('offerSent');
        offered = true;
      })();
    }
    if (step === 'confirmDelivery') done = true;
    return seq;
  });
  await condition(() => done);
  await condition(() => unpublished.length === 0 && allHandlersFinished());
  return seq;
}
