/** The search attributes a delivery keeps current, so lists and boards can find it without the read model. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { DeliveryState, DeliveryWorkflowInput } from '../../domain/delivery.js';
import { searchAttributes } from '../../domain/search-attributes.js';
import { BEFORE_PICKUP, isTerminal } from '../../domain/status.js';

/** The end of the window the delivery works toward now; only deliveries booked with windows have one. */
function windowEndsAt(state: DeliveryState): string | null {
  if (isTerminal(state.status)) return null;
  return (BEFORE_PICKUP.includes(state.status) ? state.pickupWindow?.to : state.dropoffWindow?.to) ?? null;
}

/**
 * Returns a function that upserts the attributes when, and only when, one of them changed. With
 * `startedWithThem`, the workflow was started with the attributes of its initial state
 * (`startingSearchAttributes`), so they count as upserted already.
 */
export function searchAttributeSync(input: DeliveryWorkflowInput, state: DeliveryState, options: { startedWithThem?: boolean } = {}): () => void {
  const hasWindows = Boolean(input.pickupWindow || input.dropoffWindow);
  // Deliveries without windows upsert exactly what they always did, so their histories replay unchanged.
  const keyOf = () => [state.status, state.driver?.id, state.delayed, state.promisedBy, ...(hasWindows ? [windowEndsAt(state), state.windowAtRisk ?? false] : [])].join('|');
  let lastKey = options.startedWithThem ? keyOf() : '';
  return () => {
    const key = keyOf();
    if (key === lastKey) return;
    lastKey = key;
    const ends = windowEndsAt(state);
    upsertSearchAttributes([
      { key: searchAttributes.status, value: state.status },
      { key: searchAttributes.customerId, value: state.customerId },
      { key: searchAttributes.priority, value: state.priority },
      { key: searchAttributes.delayed, value: state.delayed },
      { key: searchAttributes.driverId, value: state.driver?.id ?? null },
      { key: searchAttributes.promisedBy, value: state.promisedBy ? new Date(state.promisedBy) : null },
      ...(hasWindows
        ? [
            { key: searchAttributes.windowEndsAt, value: ends ? new Date(ends) : null },
            { key: searchAttributes.windowAtRisk, value: state.windowAtRisk ?? false },
          ]
        : []),
    ]);
  };
}
