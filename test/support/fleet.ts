/** Many deliveries in flight at once, each with its own driver in its own area, for fault tests. */
import { createDriverAt, isolatedArea, waitForDelivery, call, type Session, proofFor } from './harness.js';
import { bookAndAccept, milestone, waitForOffer } from './flow.js';

export interface InFlight {
  id: string;
  driver: Session;
}

export async function startFleet(base: string, customer: Session, dispatcher: Session, count: number): Promise<InFlight[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const area = isolatedArea();
      const driver = await createDriverAt(base, dispatcher, area);
      const id = await bookAndAccept(base, customer, area);
      // On a loaded machine an offer can time out before the tap lands: the driver waits for the next one.
      for (let attempt = 1; ; attempt += 1) {
        await waitForOffer(base, dispatcher.token, id, driver);
        const accepted = await milestone(base, driver, id, 'accept_offer');
        if (accepted.status === 200) return { id, driver };
        if (attempt >= 3 || accepted.body?.code !== 'NOT_YOUR_DELIVERY') {
          throw new Error(`accept_offer ${accepted.status} ${JSON.stringify(accepted.body)}`);
        }
      }
    }),
  );
}

const NEXT: Record<string, string> = {
  ASSIGNED: 'arrived_pickup',
  AT_PICKUP: 'picked_up',
  IN_TRANSIT: 'arrived_dropoff',
  AT_DROPOFF: 'delivered',
};

/**
 * Taps each delivery's next milestone until it is DELIVERED, the way a driver's app retries: the same
 * Idempotency-Key for the same tap, so a retry after a fault never applies a tap twice.
 */
export async function finishDelivery(base: string, flight: InFlight, deadlineMs = 120_000): Promise<any> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const current = await call(base, 'GET', `/api/v1/deliveries/${flight.id}`, { token: flight.driver.token }).catch(() => null);
    if (!current || current.status !== 200) {
      await new Promise((r) => setTimeout(r, 300));
      continue;
    }
    if (current.body.status === 'DELIVERED') return current.body;
    const type = NEXT[current.body.status];
    if (!type) throw new Error(`delivery ${flight.id} is ${current.body.status}`);
    const tap = await call(base, 'POST', `/api/v1/deliveries/${flight.id}/milestones`, {
      token: flight.driver.token,
      body: { type, ...proofFor(type, 'Robin') },
      headers: { 'Idempotency-Key': `${flight.id}-${type}` },
    }).catch(() => null);
    if (!tap || tap.status >= 500 || tap.status === 409) await new Promise((r) => setTimeout(r, 300));
  }
  return waitForDelivery(base, flight.driver.token, flight.id, (d) => d.status === 'DELIVERED', 1);
}
