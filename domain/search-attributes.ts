/**
 * Search attributes a delivery workflow keeps current (DESIGN §4). Plain `{name, type}` keys are what
 * the Temporal SDK's typed search attribute API expects, so both the workflow and the client use these.
 */
import type { DeliveryWorkflowInput } from './delivery.js';

export const searchAttributes = {
  status: { name: 'DeliveryStatus', type: 'KEYWORD' },
  driverId: { name: 'DriverId', type: 'KEYWORD' },
  customerId: { name: 'CustomerId', type: 'KEYWORD' },
  priority: { name: 'Priority', type: 'KEYWORD' },
  delayed: { name: 'Delayed', type: 'BOOL' },
  promisedBy: { name: 'PromisedBy', type: 'DATETIME' },
  /** The end of the window the delivery works toward now: pickup's until picked up, then drop-off's. */
  windowEndsAt: { name: 'WindowEndsAt', type: 'DATETIME' },
  windowAtRisk: { name: 'WindowAtRisk', type: 'BOOL' },
} as const;

/**
 * The attributes a delivery's workflow is started with, so lists find it as QUOTED before its first
 * upsert; the end of its first window only when it was booked with windows.
 */
export function startingSearchAttributes(input: Pick<DeliveryWorkflowInput, 'customerId' | 'priority' | 'pickupWindow' | 'dropoffWindow'>) {
  const window = input.pickupWindow ?? input.dropoffWindow;
  return [
    { key: searchAttributes.status, value: 'QUOTED' },
    { key: searchAttributes.customerId, value: input.customerId },
    { key: searchAttributes.priority, value: input.priority },
    { key: searchAttributes.delayed, value: false },
    ...(window ? [{ key: searchAttributes.windowEndsAt, value: new Date(window.to) }] : []),
  ];
}
