/**
 * Search attributes a delivery workflow keeps current (DESIGN §4). Plain `{name, type}` keys are what
 * the Temporal SDK's typed search attribute API expects, so both the workflow and the client use these.
 */
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
