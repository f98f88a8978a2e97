/** POST /api/v1/ai/assistant: answers grounded in a snapshot of live operations, by the model or by rule. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerFromSnapshot } from '../../api/services/assistant-fallback.js';
import { userData, type GroqStub } from '../support/groq-stub.js';
import { call, createDriverAt, deliveryBody, isolatedArea, login, loginAs, waitForDelivery, type Session, type TestApi, proofFor } from '../support/harness.js';
import { startAiApis, type AiApis } from './support.js';

describe('dispatcher assistant', () => {
  let stub: GroqStub;
  let api: TestApi;
  let noKey: TestApi;
  let dispatcher: Session;
  let customer: Session;
  let late: { id: string; trackingCode: string };
  let waiting: { id: string; trackingCode: string };
  let apis: AiApis | undefined;

  beforeAll(async () => {
    // A short promise makes a delivery late a second after pickup.
    apis = await startAiApis('ai-assistant', { DELIVERY_PROMISE_MS: '1000', AI_QUOTA_PER_HOUR: '100' });
    ({ stub, api, noKey } = apis);
    [dispatcher, customer] = await loginAs(api.url, 'dispatcher', 'customer');

    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area, { name: 'Assistant Test Driver' });
    const lateOne = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
    late = lateOne.body;
    await waitForDelivery(api.url, dispatcher.token, late.id, (d) => d.offer?.driverId === driver.user.driverId);
    for (const type of ['accept_offer', 'arrived_pickup', 'picked_up']) {
      const res = await call(api.url, 'POST', `/api/v1/deliveries/${late.id}/milestones`, { token: driver.token, body: { type, ...proofFor(type) } });
      expect(res.status).toBe(200);
    }
    await waitForDelivery(api.url, dispatcher.token, late.id, (d) => d.delayed === true);

    // Nobody is on duty near this one: it waits for a driver.
    const waitingOne = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea(), { autoAccept: true }) });
    waiting = waitingOne.body;
    await waitForDelivery(api.url, dispatcher.token, waiting.id, (d) => d.status === 'DISPATCHING');
  });
  afterAll(async () => {
    if (waiting) await call(api.url, 'POST', `/api/v1/deliveries/${waiting.id}/cancel`, { token: dispatcher.token, body: { reason: 'test over' } });
    await apis?.close();
  });
  beforeEach(() => stub.reset());

  const ask = (on: TestApi, who: Session, question: string) => call(on.url, 'POST', '/api/v1/ai/assistant', { token: who.token, body: { question } });

  function expectSnapshotOfLiveOperations(snapshot: any) {
    expect(snapshot.countsByStatus.DISPATCHING).toBeGreaterThanOrEqual(1);
    expect(snapshot.countsByStatus.IN_TRANSIT).toBeGreaterThanOrEqual(1);
    expect(snapshot.late.total).toBeGreaterThanOrEqual(1);
    expect(snapshot.unassigned.total).toBeGreaterThanOrEqual(1);
    expect(snapshot.driversOnDuty.total).toBeGreaterThanOrEqual(1);
    if (snapshot.late.total <= snapshot.late.items.length) {
      expect(snapshot.late.items).toContainEqual(expect.objectContaining({ trackingCode: late.trackingCode, status: 'IN_TRANSIT', driverName: 'Assistant Test Driver' }));
    }
    if (snapshot.unassigned.total <= snapshot.unassigned.items.length) {
      expect(snapshot.unassigned.items).toContainEqual(expect.objectContaining({ trackingCode: waiting.trackingCode, status: 'DISPATCHING' }));
    }
  }

  it('answers with the model, grounded in the snapshot it was given', async () => {
    stub.reply({ json: { answer: `${late.trackingCode} is late; call its driver.` }, usage: { prompt_tokens: 900, completion_tokens: 20 } });
    const res = await ask(api, dispatcher, 'Which deliveries are late?');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ source: 'groq', answer: `${late.trackingCode} is late; call its driver.` });
    expectSnapshotOfLiveOperations(res.body.snapshot);
    const data = userData(stub.requests[0]!);
    expect(data.question).toBe('Which deliveries are late?');
    expect(data.snapshot).toEqual(res.body.snapshot);
    expect(stub.requests[0]!.messages[0]!.content).not.toContain('Which deliveries');
  });

  it.each([
    ['invalid JSON', { text: 'Two deliveries are late.' }],
    ['an empty answer', { json: { answer: '' } }],
    ['a 500', { status: 503 }],
    ['a timeout', { delayMs: 2500, then: { json: { answer: 'too late' } } }],
  ] as const)('falls back to answering from the snapshot on %s', async (_, reply) => {
    stub.reply(reply);
    const res = await ask(api, dispatcher, 'Which deliveries are waiting for a driver?');
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('fallback');
    expectSnapshotOfLiveOperations(res.body.snapshot);
    const total = res.body.snapshot.unassigned.total;
    expect(res.body.answer).toContain(total === 1 ? '1 delivery is waiting for a driver' : `${total} deliveries are waiting for a driver`);
    expect(res.body.answer).toBe(answerFromSnapshot('Which deliveries are waiting for a driver?', res.body.snapshot));
  });

  it('without a key answers the common questions from the snapshot and calls nobody', async () => {
    const lateAnswer = await ask(noKey, dispatcher, 'Anything running late?');
    expect(lateAnswer.body.source).toBe('fallback');
    expect(lateAnswer.body.answer).toMatch(/^\d+ deliver(y is|ies are) late: /);
    const drivers = await ask(noKey, dispatcher, 'Who is on duty?');
    expect(drivers.body.answer).toMatch(new RegExp(`^${drivers.body.snapshot.driversOnDuty.total} drivers? on duty: `));
    const transit = await ask(noKey, dispatcher, 'How many are in transit?');
    const n = transit.body.snapshot.countsByStatus.IN_TRANSIT;
    expect(transit.body.answer).toBe(`${n} ${n === 1 ? 'delivery is' : 'deliveries are'} IN_TRANSIT right now.`);
    expect(stub.requests).toHaveLength(0);
  });

  it('retries once after a 429\'s delay, then uses the answer', async () => {
    stub.reply({ status: 429, headers: { 'retry-after-ms': '600' } }, { json: { answer: 'All quiet.' } });
    const res = await ask(api, dispatcher, 'How are we doing?');
    expect(res.body).toMatchObject({ source: 'groq', answer: 'All quiet.' });
    expect(stub.requests).toHaveLength(2);
  });

  it('exports AI call metrics by use, source and outcome', async () => {
    const metrics = await call(api.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(/ai_calls_total\{use="assistant",source="groq",outcome="ok"\} [1-9]/);
    expect(metrics.body).toMatch(/ai_calls_total\{use="assistant",source="fallback",outcome="timeout"\} 1/);
    expect(metrics.body).toMatch(/ai_calls_total\{use="assistant",source="groq",outcome="rate_limited"\} 1/);
    expect(metrics.body).toMatch(/ai_call_duration_seconds_count\{use="assistant",outcome="ok"\} [1-9]/);
  });

  it('is for dispatchers and admins only', async () => {
    expect((await ask(api, customer, 'Which deliveries are late?')).status).toBe(403);
    const admin = await login(api.url, 'admin@example.com');
    expect((await ask(noKey, admin, 'Which deliveries are late?')).status).toBe(200);
    expect((await ask(api, dispatcher, '?')).status).toBe(400);
  });
});
