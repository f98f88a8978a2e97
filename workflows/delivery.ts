/**
 * One delivery, from quote to its terminal status (DESIGN §4). People move it with Updates
 * (delivery/actions.ts); timers move it when nobody does. Every transition is written to the read model
 * by the ledger, strictly in `seq` order (delivery/state.ts). Dispatch and the watchers have files of
 * their own; this one is the order of the stages.
 */
import { condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { Actor, DeliveryState, DeliveryWorkflowInput } from '../domain/delivery.js';
import { acceptQuoteTarget, isTerminal } from '../domain/status.js';
import { registerActions } from './delivery/actions.js';
import { dispatchDriver } from './delivery/dispatch.js';
import { Ledger, SYSTEM, now, type DeliveryWorkflowResume } from './delivery/state.js';
import { watchPickupSla, watchPromise, watchWindows } from './delivery/watchers.js';

export type { DeliveryWorkflowResume } from './delivery/state.js';

export async function deliveryWorkflow(input: DeliveryWorkflowInput, resume?: DeliveryWorkflowResume): Promise<DeliveryState> {
  const { timings } = input;
  const d = new Ledger(input, resume);
  const { state } = d;
  registerActions(d);
  d.startRecording();
  if (!resume) {
    d.syncSearchAttributes();
    const customer: Actor = { kind: 'customer', userId: input.customerId, ...(input.requestId ? { requestId: input.requestId } : {}) };
    d.transition('quoted', customer, () => {}, { quote: input.quote });
    if (input.autoAccept) d.transition('quote_accepted', customer, () => {
      state.status = acceptQuoteTarget(state.dispatchAt, Date.now());
    });
  }

  const hasWindows = Boolean(input.pickupWindow || input.dropoffWindow);
  const watching = { pickup: false, promise: false, windows: false };
  while (!isTerminal(state.status)) {
    if (hasWindows && !watching.windows && state.status !== 'QUOTED') {
      watching.windows = true;
      void watchWindows(d);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => d.settled());
      await continueAsNew<typeof deliveryWorkflow>(input, { state, compensations: [...d.compensations] });
    }
    switch (state.status) {
      case 'QUOTED': {
        // The customer accepts the quote, or it expires and is voided.
        const remaining = Math.max(1, Date.parse(state.quote.expiresAt) - Date.now());
        if (!(await d.untilChanged(Math.min(remaining, timings.quoteTtlMs)))) {
          await d.recorded(d.transition('expired', SYSTEM, () => {
            d.move('expireQuote');
            state.quote.voidedAt = now();
          }));
          await d.runCompensations('quote expired');
        }
        break;
      }
      case 'SCHEDULED': {
        // A durable timer: it fires at dispatchAt whichever worker holds the delivery then.
        const dispatchAt = state.dispatchAt ?? now();
        if (!(await d.untilChanged(Math.max(1, Date.parse(dispatchAt) - Date.now())))) {
          d.transition('dispatch_started', SYSTEM, d.moveBy('startDispatch'), { dispatchAt });
        }
        break;
      }
      case 'DISPATCHING':
        await dispatchDriver(d);
        break;
      case 'ASSIGNED':
        if (!watching.pickup) {
          watching.pickup = true;
          void watchPickupSla(d);
        }
        await d.untilChanged();
        break;
      case 'IN_TRANSIT':
        if (!watching.promise) {
          watching.promise = true;
          void watchPromise(d);
        }
        await d.untilChanged();
        break;
      case 'ATTEMPT_FAILED':
        // Another attempt after a pause, or back to the sender once the attempts are spent.
        if (state.attempts >= timings.maxAttempts) {
          d.transition('return_started', SYSTEM, d.moveBy('startReturn'), { attempts: state.attempts });
        } else if (!(await d.untilChanged(timings.reattemptDelayMs))) {
          d.transition('reattempt', SYSTEM, d.moveBy('reattempt'), { attempt: state.attempts + 1 });
        }
        break;
      default:
        // The driver's milestones move it on (Updates).
        await d.untilChanged();
    }
  }

  // Everything the delivery did must be in the read model and published, and every caller answered, before it closes.
  await condition(() => d.settled());
  return state;
}
