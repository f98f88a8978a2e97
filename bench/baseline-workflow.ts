/**
 * B1's baseline: a bare workflow with the delivery's shape and none of its logic. The same seven Updates
 * (create's first one included), each answered after one no-op activity, plus the two activities dispatch
 * runs between accepting the quote and the offer (find candidates, record the offer): nine in all, as in
 * the real lifecycle.
 */
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export const BASELINE_STEPS = ['quoteRecorded', 'acceptQuote', 'acceptOffer', 'arrivedAtPickup', 'confirmPickup', 'arrivedAtDropoff', 'confirmDelivery'] as const;
export type BaselineStep = (typeof BASELINE_STEPS)[number];

export const stepUpdate = defineUpdate<number, [BaselineStep]>('step');

const { noop } = proxyActivities<{ noop(step: string): Promise<void> }>({ startToCloseTimeout: '20 seconds' });

export async function baselineWorkflow(): Promise<number> {
  let seq = 0;
  let offered = false;
  let done = false;
  setHandler(stepUpdate, async (step) => {
    // Like accepting an offer, which needs one to have been sent.
    if (step === 'acceptOffer') await condition(() => offered);
    seq += 1;
    await noop(step);
    if (step === 'acceptQuote') {
      void (async () => {
        await noop('findCandidates');
        await noop('offerSent');
        offered = true;
      })();
    }
    if (step === 'confirmDelivery') done = true;
    return seq;
  });
  await condition(() => done);
  await condition(allHandlersFinished);
  return seq;
}
