/**
 * The workflow's AI steps end to end: dispatch re-ranking and the delay message, through Temporal's
 * retries, recorded on the timeline — with a worker that has the model, and with one that has not.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroqClient } from '../../adapters/ai/groq.js';
import { startGroqStub, userData, type ChatRequest, type GroqStub, type StubReply } from '../support/groq-stub.js';
import {
  call,
  createDriverAt,
  deliveryBody,
  isolatedArea,
  loginAs,
  startTestApi,
  waitForDelivery,
  type Session,
  type TestApi,
  proofFor,
} from '../support/harness.js';
import { startTestWorker, type TestWorker } from '../support/worker.js';

const isRanking = (r: ChatRequest) => r.messages[0]!.content.includes('which driver to offer');
const isDelayMessage = (r: ChatRequest) => r.messages[0]!.content.includes('running late');
const aiEvent = (d: any, use: string) => d.timeline?.find((e: any) => e.type === 'ai' && e.data.use === use);

let dispatcher: Session;
let customer: Session;

beforeAll(async () => {
  const api = await startTestApi();
  [dispatcher, customer] = await loginAs(api.url, 'dispatcher', 'customer');
  await api.close();
});

/** Two drivers by the pickup; the near one scores higher. */
async function twoDrivers(base: string, area: { lat: number; lng: number }) {
  const [near, far] = await Promise.all([
    createDriverAt(base, dispatcher, { lat: area.lat + 0.0012, lng: area.lng + 0.0012 }, { name: 'Near Nora' }),
    createDriverAt(base, dispatcher, { lat: area.lat + 0.012, lng: area.lng + 0.012 }, { name: 'Far Felix' }),
  ]);
  return { near: near.user.driverId!, far: far.user.driverId!, sessions: { near, far } };
}

async function order(base: string, area: { lat: number; lng: number }): Promise<string> {
  const created = await call(base, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function pickUp(base: string, driver: Session, id: string): Promise<void> {
  await waitForDelivery(base, dispatcher.token, id, (d) => d.offer?.driverId === driver.user.driverId);
  for (const type of ['accept_offer', 'arrived_pickup', 'picked_up']) {
    const res = await call(base, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type, ...proofFor(type) } });
    expect(res.status).toBe(200);
  }
}

const cancel = (base: string, id: string) => call(base, 'POST', `/api/v1/deliveries/${id}/cancel`, { token: dispatcher.token, body: { reason: 'test over' } });

describe('AI steps on a worker without a model', () => {
  let api: TestApi;
  beforeAll(async () => {
    // The API has a key, so it asks for AI dispatch; the shared in-process worker has no model.
    api = await startTestApi({ GROQ_API_KEY: 'test-key', GROQ_BASE_URL: 'http://127.0.0.1:9', DELIVERY_PROMISE_MS: '1000' });
  });
  afterAll(() => api?.close());

  it('dispatches in scored order and sends the template delay message, both recorded as fallbacks', async () => {
    const area = isolatedArea();
    const drivers = await twoDrivers(api.url, area);
    const id = await order(api.url, area);
    const offered = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId !== undefined);
    expect(offered.offer.driverId).toBe(drivers.near);
    expect(aiEvent(offered, 'dispatch').data).toMatchObject({
      source: 'fallback',
      model: null,
      order: [drivers.near, drivers.far],
      rationale: 'scored order (no model configured)',
    });

    await pickUp(api.url, drivers.sessions.near, id);
    const late = await waitForDelivery(api.url, dispatcher.token, id, (d) => aiEvent(d, 'delay_message'));
    expect(late.delayed).toBe(true);
    const clock = `${late.eta.slice(11, 16)} UTC`;
    expect(aiEvent(late, 'delay_message').data).toMatchObject({
      source: 'fallback',
      model: null,
      message: `Hello Maria, we are sorry: your delivery ${late.trackingCode} is running late. It should now arrive around ${clock}. Thank you for your patience.`,
    });
  });
});

describe('AI steps on a worker with the model', () => {
  let stub: GroqStub;
  let api: TestApi;
  let worker: TestWorker;
  /** Per test: how the stub answers each use. */
  let rank: (r: ChatRequest) => StubReply;
  let delay: (r: ChatRequest) => StubReply;

  beforeAll(async () => {
    stub = await startGroqStub();
    stub.otherwise((r) => (isRanking(r) ? rank(r) : isDelayMessage(r) ? delay(r) : { status: 500 }));
    worker = await startTestWorker('ai-deliveries', {
      deps: { ai: { groq: createGroqClient({ GROQ_API_KEY: 'test-key', GROQ_BASE_URL: stub.url, GROQ_TIMEOUT_MS: 2000 }), model: 'test-model' } },
    });
    api = await startTestApi({ TEMPORAL_TASK_QUEUE: worker.taskQueue, GROQ_API_KEY: 'test-key', GROQ_BASE_URL: stub.url, DELIVERY_PROMISE_MS: '1000' });
  });
  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await stub?.close();
  });

  const rankingsFor = (driverId: string) => stub.requests.filter((r) => isRanking(r) && userData(r).candidates.some((c: any) => c.driverId === driverId));

  it('offers first to the driver the model puts first, and records the call', async () => {
    const area = isolatedArea();
    const drivers = await twoDrivers(api.url, area);
    rank = () => ({ json: { order: [drivers.far, drivers.near], rationale: 'Felix is heading back past the bakery.' }, usage: { prompt_tokens: 410, completion_tokens: 38 } });
    const id = await order(api.url, area);
    const offered = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId !== undefined);
    expect(offered.offer.driverId).toBe(drivers.far);
    const event = aiEvent(offered, 'dispatch').data;
    expect(event).toMatchObject({
      source: 'groq',
      model: 'test-model',
      order: [drivers.far, drivers.near],
      rationale: 'Felix is heading back past the bakery.',
      promptTokens: 410,
      completionTokens: 38,
    });
    expect(event.latencyMs).toBeGreaterThanOrEqual(0);
    expect(event.prompt).toContain(drivers.near);
    expect(JSON.parse(event.output).order).toEqual([drivers.far, drivers.near]);
    expect(userData(rankingsFor(drivers.near)[0]!).candidates.map((c: any) => c.driverId)).toEqual([drivers.near, drivers.far]);
    await cancel(api.url, id);
  });

  it('does not use a ranking that names a driver outside the candidate list', async () => {
    const area = isolatedArea();
    const drivers = await twoDrivers(api.url, area);
    rank = () => ({ json: { order: [randomUUID(), drivers.far], rationale: 'my favourite driver' } });
    const id = await order(api.url, area);
    const offered = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId !== undefined);
    expect(offered.offer.driverId).toBe(drivers.near);
    expect(aiEvent(offered, 'dispatch').data).toMatchObject({ source: 'fallback', model: 'test-model', order: [drivers.near, drivers.far] });
    expect(aiEvent(offered, 'dispatch').data.error).toMatch(/outside the candidate list/);
    await cancel(api.url, id);
  });

  it('waits out a 429 through Temporal\'s retry, then uses the ranking', async () => {
    const area = isolatedArea();
    const drivers = await twoDrivers(api.url, area);
    let calls = 0;
    rank = () =>
      ++calls === 1
        ? { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'Rate limit reached for model' } } }
        : { json: { order: [drivers.far, drivers.near], rationale: 'Felix has more room.' } };
    const id = await order(api.url, area);
    const offered = await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId !== undefined);
    expect(offered.offer.driverId).toBe(drivers.far);
    expect(aiEvent(offered, 'dispatch').data).toMatchObject({ source: 'groq', rationale: 'Felix has more room.' });
    const asked = rankingsFor(drivers.near);
    expect(asked).toHaveLength(2);
    // Two seconds, as the server asked, not the retry policy's one-second default.
    expect(asked[1]!.receivedAt - asked[0]!.receivedAt).toBeGreaterThanOrEqual(1900);
    await cancel(api.url, id);
  });

  it('sends the model\'s delay message when a delivery runs late', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area, { name: 'Solo Sam' });
    delay = (r) => ({ json: { message: `Hi ${userData(r).recipientFirstName}, sorry for the wait: your parcel now arrives around ${userData(r).newEta}.` } });
    const id = await order(api.url, area);
    await pickUp(api.url, driver, id);
    const late = await waitForDelivery(api.url, dispatcher.token, id, (d) => aiEvent(d, 'delay_message'));
    expect(aiEvent(late, 'delay_message').data).toMatchObject({
      source: 'groq',
      model: 'test-model',
      message: `Hi Maria, sorry for the wait: your parcel now arrives around ${late.eta.slice(11, 16)} UTC.`,
    });
  });

  it('falls back to the template when every attempt is rate limited', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area, { name: 'Solo Sue' });
    let calls = 0;
    delay = () => {
      calls++;
      return { status: 429, headers: { 'retry-after': '1' } };
    };
    const id = await order(api.url, area);
    await pickUp(api.url, driver, id);
    const late = await waitForDelivery(api.url, dispatcher.token, id, (d) => aiEvent(d, 'delay_message'));
    const event = aiEvent(late, 'delay_message').data;
    expect(event).toMatchObject({ source: 'fallback', model: 'test-model' });
    expect(event.message).toMatch(new RegExp(`^Hello Maria, we are sorry: your delivery ${late.trackingCode} is running late\\.`));
    expect(event.error).toMatch(/rate limited/);
    // The workflow's policy allows three attempts; the last one answers with the template instead of failing.
    expect(calls).toBe(3);
  });
});
