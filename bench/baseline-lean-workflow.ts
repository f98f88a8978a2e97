/**
 * B1's second baseline, the floor: the leanest workflow that still writes each transition durably. The
 * same seven Updates and eight transitions as the frozen baseline (baseline-workflow.ts), but each
 * transition is one local activity (recording and publishing together, a no-op here) whose result lands
 * in the same workflow task as the Update, and dispatch's search is a local activity too.
 */
import { allHandlersFinished, condition, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { stepUpdate } from './baseline-workflow.js';

const { noop } = proxyLocalActivities<{ noop(step: string): Promise<void> }>({ startToCloseTimeout: '20 seconds' });

export async function leanBaselineWorkflow(): Promise<number> {
  let seq = 0;
  let offered = false;
  let done = false;

  async function record(step: string): Promise<void> {
    seq += 1;
    await noop(`record and publish ${step}`);
  }

  setHandler(stepUpdate, async (step) => {
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
  await condition(allHandlersFinished);
  return seq;
}
