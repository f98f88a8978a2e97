/**
 * Proof rules and delivery codes, through the real API process and worker process, whose every log
 * line is searched for the code afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookAndAccept, expectMilestone, milestone, recordHistory, temporalClient, waitForOffer } from '../support/flow.js';
import { call, createDriverAt, isolatedArea, loginAs, SIGNATURE, waitFor, type Session } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { startChild, startWorkerProcess, type ChildService } from '../support/processes.js';

describe('proof rules and delivery codes', () => {
  const taskQueue = `deliveries-codes-${process.pid}`;
  let apiProcess: ChildService;
  let worker: ChildService;
  let base: string;
  let customer: Session;
  let dispatcher: Session;

  beforeAll(async () => {
    const port = await freePort();
    // debug: the most a misconfigured production could print.
    const env = { TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'debug', MILESTONE_MAX_DISTANCE_M: '2000' };
    [apiProcess, worker] = await Promise.all([
      startChild('api/server.ts', { ...env, PORT: String(port) }, /"api listening"/, 180_000),
      startWorkerProcess(env, 180_000),
    ]);
    base = `http://127.0.0.1:${port}`;
    [customer, dispatcher] = await loginAs(base, 'customer', 'dispatcher');
  }, 240_000);
  afterAll(async () => {
    await Promise.all([worker?.kill(), apiProcess?.kill()]);
  });

  async function atDropoff(overrides: Record<string, unknown> = {}): Promise<{ id: string; driver: Session; area: { lat: number; lng: number } }> {
    const area = isolatedArea();
    const driver = await createDriverAt(base, dispatcher, area);
    const id = await bookAndAccept(base, customer, area, overrides);
    await waitForOffer(base, dispatcher.token, id, driver);
    await expectMilestone(base, driver, id, 'accept_offer', 'ASSIGNED');
    await expectMilestone(base, driver, id, 'arrived_pickup', 'AT_PICKUP');
    await expectMilestone(base, driver, id, 'picked_up', 'IN_TRANSIT', { proof: { recipientName: 'Pat Baker' } });
    await expectMilestone(base, driver, id, 'arrived_dropoff', 'AT_DROPOFF');
    return { id, driver, area };
  }

  it('refuses a delivery without proof with 422 PROOF_REQUIRED naming what is missing', async () => {
    const { id, driver } = await atDropoff();
    const bare = await milestone(base, driver, id, 'delivered');
    expect(bare.status).toBe(422);
    expect(bare.body).toMatchObject({ code: 'PROOF_REQUIRED', missing: [['recipientName'], ['signatureOrPhoto']] });
    expect(bare.body.detail).toContain("the recipient's name");
    const nameOnly = await milestone(base, driver, id, 'delivered', { proof: { recipientName: 'Maria Lopez' } });
    expect(nameOnly.body).toMatchObject({ code: 'PROOF_REQUIRED', missing: [['signatureOrPhoto']] });
    // An entered code alone is no proof either (the old hole: `{"otp":"0000"}` was accepted).
    const codeOnly = await milestone(base, driver, id, 'delivered', { proof: { otp: '0000' } });
    expect(codeOnly.status).toBe(422);
    await expectMilestone(base, driver, id, 'delivered', 'DELIVERED', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE } });
  });

  it('needs the sender\'s name, a signature or a photo at pickup', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(base, dispatcher, area);
    const id = await bookAndAccept(base, customer, area);
    await waitForOffer(base, dispatcher.token, id, driver);
    await expectMilestone(base, driver, id, 'accept_offer', 'ASSIGNED');
    await expectMilestone(base, driver, id, 'arrived_pickup', 'AT_PICKUP');
    const bare = await milestone(base, driver, id, 'picked_up');
    expect(bare.body).toMatchObject({ code: 'PROOF_REQUIRED', missing: [['senderName', 'signatureOrPhoto']] });
  });

  it('flags a milestone far from its stop on the timeline and alerts the dispatcher', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(base, dispatcher, area);
    const id = await bookAndAccept(base, customer, area);
    await waitForOffer(base, dispatcher.token, id, driver);
    await expectMilestone(base, driver, id, 'accept_offer', 'ASSIGNED');
    const far = { lat: area.lat > 0 ? area.lat - 30 : area.lat + 30, lng: area.lng };
    const arrived = await expectMilestone(base, driver, id, 'arrived_pickup', 'AT_PICKUP', { location: far });
    expect(arrived.status).toBe('AT_PICKUP');
    const d = (await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body;
    const event = d.timeline.find((e: any) => e.type === 'arrived_pickup');
    expect(event.data.farFromStopM).toBeGreaterThan(1_000_000);
    // The alert is its own transition, recorded just after the arrival the Update answered for.
    await expect
      .poll(async () => (await call(base, 'GET', `/api/v1/alerts?state=open&deliveryId=${id}`, { token: dispatcher.token })).body.items, { timeout: 15_000 })
      .toEqual([expect.objectContaining({ deliveryId: id, kind: 'far_from_stop', severity: 'info' })]);
  });

  it('asks for the delivery code: a wrong one gets 422 with tries left, the right one delivers; the code shows nowhere else', async () => {
    const { id, driver } = await atDropoff({ requireCode: true });
    const mine = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token });
    const code = mine.body.deliveryCode as string;
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(mine.body.codeRequired).toBe(true);
    const wrong = code === '000000' ? '111111' : '000000';

    const withoutCode = await milestone(base, driver, id, 'delivered', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE } });
    expect(withoutCode.body).toMatchObject({ code: 'PROOF_REQUIRED', missing: [['deliveryCode']] });
    const rejected = await milestone(base, driver, id, 'delivered', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE, otp: wrong } });
    expect(rejected.status).toBe(422);
    expect(rejected.body).toMatchObject({ code: 'DELIVERY_CODE_MISMATCH', triesLeft: 4 });
    const delivered = await expectMilestone(base, driver, id, 'delivered', 'DELIVERED', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE, otp: code } });
    expect(delivered.proof.otpVerified).toBe(true);

    // The recipient's code reaches the booking customer as a notification, filled in only when sent.
    const notice = await waitFor('the delivery code notice', async () => {
      const items = (await call(base, 'GET', `/api/v1/notifications?deliveryId=${id}`, { token: customer.token })).body.items as any[];
      return items.find((n) => n.template === 'delivery_code' && n.status === 'sent');
    });
    expect(notice.message).toContain(code);

    // Nowhere but the booking customer's view (and the dispatcher's): not tracking, the driver, history or logs.
    const driverView = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: driver.token });
    const driverList = await call(base, 'GET', '/api/v1/deliveries', { token: driver.token });
    const tracking = await call(base, 'GET', `/api/v1/track/${mine.body.trackingCode}`);
    expect(tracking.status).toBe(200);
    const history = await (await temporalClient()).workflow.getHandle(`delivery-${id}`).fetchHistory();
    const timeline = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token });
    expect(timeline.body.deliveryCode).toBe(code);
    const shown = { driverView: driverView.body, driverList: driverList.body, tracking: tracking.body, delivered, timeline: timeline.body.timeline };
    for (const [where, value] of Object.entries(shown)) expect(JSON.stringify(value), where).not.toContain(code);
    expect(JSON.stringify(history)).not.toContain(code);
    expect(apiProcess.output()).not.toContain(code);
    expect(worker.output()).not.toContain(code);
    expect(apiProcess.output().length + worker.output().length).toBeGreaterThan(1000);
    await recordHistory(id, 'delivery-code-wrong-then-right');
  });

  it('locks after five wrong codes: an alert, then only a dispatcher override (with its reason) or a failed attempt', async () => {
    const { id, driver } = await atDropoff({ requireCode: true });
    const code = (await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token })).body.deliveryCode as string;
    const wrong = code === '000000' ? '111111' : '000000';
    const proof = (otp: string) => ({ proof: { recipientName: 'Maria Lopez', signature: SIGNATURE, otp } });
    const left: number[] = [];
    for (let i = 0; i < 5; i += 1) left.push((await milestone(base, driver, id, 'delivered', proof(wrong))).body.triesLeft);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const locked = await milestone(base, driver, id, 'delivered', proof(code));
    expect(locked.body).toMatchObject({ code: 'DELIVERY_CODE_LOCKED' });
    const open = (await call(base, 'GET', '/api/v1/alerts?state=open', { token: dispatcher.token })).body.items;
    expect(open.find((a: any) => a.deliveryId === id)).toMatchObject({ kind: 'delivery_code_locked', severity: 'critical' });

    expect((await call(base, 'POST', `/api/v1/deliveries/${id}/code-override`, { token: driver.token, body: { reason: 'recipient has id' } })).status).toBe(403);
    const override = await call(base, 'POST', `/api/v1/deliveries/${id}/code-override`, { token: dispatcher.token, body: { reason: 'recipient showed an ID card' } });
    expect(override.status, JSON.stringify(override.body)).toBe(200);
    await expectMilestone(base, driver, id, 'delivered', 'DELIVERED', { proof: { recipientName: 'Maria Lopez', signature: SIGNATURE } });
    const d = (await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: dispatcher.token })).body;
    expect(d.timeline.find((e: any) => e.type === 'delivery_code_overridden').data).toEqual({ reason: 'recipient showed an ID card' });
    const resolved = (await call(base, 'GET', '/api/v1/alerts?state=resolved', { token: dispatcher.token })).body.items;
    expect(resolved.find((a: any) => a.deliveryId === id && a.kind === 'delivery_code_locked')).toBeTruthy();
    await recordHistory(id, 'delivery-code-locked-then-overridden');
  });
});
