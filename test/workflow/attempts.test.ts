import { describe, expect } from 'vitest';
import { apiTest } from '../support/fixtures.js';
import { proofFor, waitForDelivery } from '../support/harness.js';
import { expectContiguousTimeline, expectMilestone, milestone, recordHistory, runToInTransit, timelineTypes } from '../support/flow.js';

const test = apiTest({ REATTEMPT_DELAY_MS: '700', MAX_ATTEMPTS: '2' });

describe('failed attempts and returns', () => {
  test('reattempts after a failed attempt and then delivers', async ({ api, customer, dispatcher, driver, area }) => {
    const id = await runToInTransit(api.url, customer, dispatcher, driver, area);
    await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    const failed = await expectMilestone(api.url, driver, id, 'attempt_failed', 'ATTEMPT_FAILED', { reason: 'nobody home' });
    expect(failed.attempts).toBe(1);
    // Too early: the reattempt has not started.
    expect((await milestone(api.url, driver, id, 'arrived_dropoff')).status).toBe(409);

    await waitForDelivery(api.url, driver.token, id, (d) => d.status === 'IN_TRANSIT', 10_000);
    await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    const delivered = await expectMilestone(api.url, driver, id, 'delivered', 'DELIVERED', proofFor('delivered', 'Neighbour Kim'));
    expect(delivered.proof.recipientName).toBe('Neighbour Kim');
    const types = await timelineTypes(api.url, dispatcher.token, id);
    expect(types).toEqual(expect.arrayContaining(['attempt_failed', 'alert', 'reattempt', 'delivered']));
    await expectContiguousTimeline(api.url, dispatcher.token, id);
    await recordHistory(id, 'failed-attempt-then-delivered');
  });

  test('returns the parcel to the sender when attempts run out', async ({ api, customer, dispatcher, driver, area }) => {
    const id = await runToInTransit(api.url, customer, dispatcher, driver, area);
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      if (attempt > 1) await waitForDelivery(api.url, driver.token, id, (d) => d.status === 'IN_TRANSIT', 10_000);
      await expectMilestone(api.url, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
      // The last failure sends the parcel back at once, and the answer already says so.
      await expectMilestone(api.url, driver, id, 'attempt_failed', attempt === 2 ? 'RETURNING' : 'ATTEMPT_FAILED', { reason: 'address not found' });
    }
    await waitForDelivery(api.url, driver.token, id, (d) => d.status === 'RETURNING', 10_000);
    const returned = await expectMilestone(api.url, driver, id, 'returned', 'RETURNED', proofFor('returned'));
    expect(returned.attempts).toBe(2);
    await expectContiguousTimeline(api.url, dispatcher.token, id);
    await recordHistory(id, 'attempts-exhausted-returned');
  });
});
