/**
 * The delivery's watchers: timers beside the main flow that raise alerts (and mark the delivery late)
 * when a promise, an SLA or a time window passes before the delivery gets there.
 */
import { condition, log } from '@temporalio/workflow';
import { BEFORE_PICKUP, isTerminal, type DeliveryStatus } from '../../domain/status.js';
import { aiActs } from './activities.js';
import { SYSTEM, type Ledger } from './state.js';

/** Before a driver holds it: an open pickup window then puts it at risk. */
const WAITING_FOR_DRIVER: readonly DeliveryStatus[] = ['SCHEDULED', 'DISPATCHING'];

/** The drop-off side is done: delivered, returned, cancelled, or on its way back. */
const doneWithDropoff = (status: DeliveryStatus) => isTerminal(status) || status === 'RETURNING';

export async function watchDispatchSla(d: Ledger): Promise<void> {
  const { dispatchSlaMs } = d.input.timings;
  if (await condition(() => d.state.status !== 'DISPATCHING', dispatchSlaMs)) return;
  d.raiseAlert('unassigned', `no driver has accepted after ${Math.round(dispatchSlaMs / 1000)} s`);
}

/** Started on assignment: the pickup must follow within the SLA. */
export async function watchPickupSla(d: Ledger): Promise<void> {
  const { pickupSlaMs } = d.input.timings;
  if (await condition(() => !BEFORE_PICKUP.includes(d.state.status), pickupSlaMs)) return;
  d.raiseAlert('pickup_late', `not picked up within ${Math.round(pickupSlaMs / 60_000)} min of assignment`);
}

/** Started on pickup: past the promise, the delivery is marked late and the recipient gets a message. */
export async function watchPromise(d: Ledger): Promise<void> {
  const { state } = d;
  const promisedBy = state.promisedBy;
  if (!promisedBy || state.delayed) return;
  if (await condition(() => doneWithDropoff(state.status), Math.max(1, Date.parse(promisedBy) - Date.now()))) return;
  d.transition('delayed', SYSTEM, () => {
    state.delayed = true;
  }, { promisedBy, eta: state.eta });
  d.raiseAlert('delayed', `late: promised by ${promisedBy}`);
  try {
    const message = await aiActs.composeDelayMessage({
      deliveryId: state.deliveryId,
      trackingCode: state.trackingCode,
      recipientName: state.dropoff.contactName ?? null,
      eta: state.eta,
      promisedBy,
    });
    d.transition('ai', SYSTEM, () => {}, { use: 'delay_message', ...message.record, message: message.message, source: message.source });
  } catch (err) {
    log.warn('delay message failed', { error: String(err) });
  }
}

/** On pickup: an ETA past the drop-off window's end puts the delivery at risk at once. */
export function checkDropoffWindow(d: Ledger): void {
  const { state } = d;
  const end = state.dropoffWindow?.to;
  if (!end || !state.eta || state.windowAtRisk || Date.parse(state.eta) <= Date.parse(end)) return;
  d.transition('window_at_risk', SYSTEM, () => {
    state.windowAtRisk = true;
  }, { window: 'dropoff', eta: state.eta, windowEndsAt: end });
  d.raiseAlert('window_at_risk', `ETA ${state.eta} passes the drop-off window ending ${end}`);
}

/** Timers on the windows: at risk when the pickup window opens with no driver; missed when a window ends first. */
export async function watchWindows(d: Ledger): Promise<void> {
  const { state } = d;
  const notAssigned = () => WAITING_FOR_DRIVER.includes(state.status);
  // Watched from acceptance on, so "before pickup" never meets QUOTED here.
  const notPickedUp = () => BEFORE_PICKUP.includes(state.status);
  const pickup = state.pickupWindow;
  if (pickup) {
    await condition(() => !notAssigned(), Math.max(1, Date.parse(pickup.from) - Date.now()));
    if (notAssigned() && !state.windowAtRisk) {
      d.transition('window_at_risk', SYSTEM, () => {
        state.windowAtRisk = true;
      }, { window: 'pickup', windowEndsAt: pickup.to });
      d.raiseAlert('window_at_risk', `pickup window opened at ${pickup.from} with no driver assigned`);
    }
    await condition(() => !notPickedUp(), Math.max(1, Date.parse(pickup.to) - Date.now()));
    if (notPickedUp() && !isTerminal(state.status)) d.raiseAlert('window_missed', `not picked up by the end of its pickup window (${pickup.to})`);
  }
  const dropoff = state.dropoffWindow;
  if (dropoff) {
    if (!(await condition(() => doneWithDropoff(state.status), Math.max(1, Date.parse(dropoff.to) - Date.now())))) {
      d.raiseAlert('window_missed', `not delivered by the end of its drop-off window (${dropoff.to})`);
    }
  }
}
