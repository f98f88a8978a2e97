import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_WEBHOOK_EVENTS } from '../../domain/notifications.js';
import {
  pause, call,
  createDriverAt,
  deliveryBody,
  isolatedArea,
  login,
  registerCustomer,
  startTestApi,
  waitFor,
  waitForDelivery,
  type Session,
  type TestApi,
  proofFor,
} from '../support/harness.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('notifications and webhooks over a delivery lifecycle', () => {
  let api: TestApi;
  let dispatcher: Session;
  let customer: Session;
  let receiver: Receiver;

  beforeAll(async () => {
    // A short delivery promise makes the delivery late while in transit: the delay notice is part of the run.
    api = await startTestApi({ DELIVERY_PROMISE_MS: '1500' });
    [dispatcher, customer, receiver] = await Promise.all([login(api.url, 'dispatcher@example.com'), registerCustomer(api.url, 'Noor Haddad'), startReceiver()]);
  });
  afterAll(async () => {
    await receiver?.close();
    await api?.close();
  });

  const notificationsOf = async (who: Session, deliveryId: string) => {
    const res = await call(api.url, 'GET', `/api/v1/notifications?deliveryId=${deliveryId}`, { token: who.token });
    expect(res.status).toBe(200);
    return res.body.items as any[];
  };

  it('tells each party what concerns them exactly once and sends webhooks the receiver can verify', async () => {
    const area = isolatedArea();
    const driver = await createDriverAt(api.url, dispatcher, area, { name: 'Ines Moreau' });

    const registered = await call(api.url, 'POST', '/api/v1/webhooks', { token: customer.token, body: { url: receiver.url, events: ['*'], description: 'shop backend' } });
    expect(registered.status).toBe(201);
    expect(registered.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    receiver.secret = registered.body.secret;
    const listed = await call(api.url, 'GET', '/api/v1/webhooks', { token: customer.token });
    expect(listed.body.items).toEqual([expect.objectContaining({ id: registered.body.id, url: receiver.url, events: ['*'], deadDeliveries: 0 })]);
    expect(JSON.stringify(listed.body)).not.toContain(registered.body.secret);

    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call(api.url, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token })).status).toBe(200);
    await waitForDelivery(api.url, dispatcher.token, id, (d) => d.offer?.driverId === driver.user.driverId);
    const step = async (type: string, extra: Record<string, unknown> = {}) => {
      const res = await call(api.url, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type, ...extra } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await step('accept_offer');
    await step('arrived_pickup');
    await step('picked_up', { proof: { recipientName: 'Pat Baker' } });
    const late = await waitForDelivery(api.url, customer.token, id, (d) => d.delayed && d.timeline.some((e: any) => e.type === 'ai'), 15_000);
    await step('arrived_dropoff');
    await step('delivered', proofFor('delivered'));
    const done = await waitForDelivery(api.url, customer.token, id, (d) => d.status === 'DELIVERED');
    const aiMessage = late.timeline.find((e: any) => e.type === 'ai').data.message as string;

    const customerTemplates = ['quote_ready', 'driver_assigned', 'picked_up', 'delayed', 'delivered'];
    const ofCustomer = await waitFor('customer notifications', async () => {
      const items = await notificationsOf(customer, id);
      return items.filter((n) => n.status === 'sent').length >= customerTemplates.length ? items : null;
    });
    const ofDriver = await waitFor('driver notifications', async () => {
      const items = await notificationsOf(driver, id);
      return items.some((n) => n.status === 'sent') ? items : null;
    });
    const webhookTypes = done.timeline.map((e: any) => e.type).filter((t: string) => (CUSTOMER_WEBHOOK_EVENTS as readonly string[]).includes(t));
    await waitFor('webhooks', async () => receiver.requests.length >= webhookTypes.length);
    // Anything sent twice would have arrived by now.
    await pause(1500);

    const customerNow = await notificationsOf(customer, id);
    expect(customerNow.map((n) => n.template).sort()).toEqual([...customerTemplates].sort());
    expect(customerNow.every((n) => n.status === 'sent' && n.attempts === 1 && n.channel === 'log' && n.recipient.userId === customer.user.id)).toBe(true);
    expect(ofCustomer.length).toBe(customerNow.length);
    // The delay notice carries the message the workflow had written for the customer.
    expect(customerNow.find((n) => n.template === 'delayed').message).toBe(aiMessage);
    expect(customerNow.find((n) => n.template === 'quote_ready').message).toContain(done.trackingCode);

    const driverNow = await notificationsOf(driver, id);
    expect(driverNow.map((n) => n.template)).toEqual(['offer']);
    expect(ofDriver.length).toBe(1);

    const all = await notificationsOf(dispatcher, id);
    const alerts = all.filter((n) => n.recipient.kind === 'dispatcher');
    expect(alerts.map((n) => n.template)).toEqual(['alert']);
    expect(alerts[0].message).toMatch(/late/);
    expect(all).toHaveLength(customerTemplates.length + 1 + 1);

    const stranger = await registerCustomer(api.url);
    expect(await notificationsOf(stranger, id)).toEqual([]);

    // One signed message per customer-visible event, each with its own id.
    expect(receiver.requests).toHaveLength(webhookTypes.length);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.ids()).size).toBe(webhookTypes.length);
    expect(receiver.requests.map((r) => r.json.type).sort()).toEqual(webhookTypes.map((t: string) => `delivery.${t}`).sort());
    const deliveredHook = receiver.requests.find((r) => r.json.type === 'delivery.delivered')!;
    expect(deliveredHook.json.data).toMatchObject({ deliveryId: id, trackingCode: done.trackingCode, status: 'DELIVERED', delivery: { id, status: 'DELIVERED' } });
    expect(receiver.requests.some((r) => r.json.type === 'delivery.ai' || r.json.type === 'delivery.offer_sent')).toBe(false);

    const log = await call(api.url, 'GET', `/api/v1/webhooks/${registered.body.id}/deliveries`, { token: customer.token });
    expect(log.body.items).toHaveLength(webhookTypes.length);
    expect(log.body.items.every((d: any) => d.status === 'delivered' && d.attempts === 1 && d.responseStatus === 200)).toBe(true);
  });

  it('lists queue depth and state on /metrics', async () => {
    const metrics = await call(api.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/queue_jobs\{queue="notifications",state="completed"\} [1-9]/);
    expect(metrics.body).toMatch(/queue_jobs\{queue="webhooks",state="waiting"\} \d+/);
    expect(metrics.body).toMatch(/queue_oldest_waiting_seconds\{queue="webhooks"\} /);
    expect(metrics.body).toMatch(/queue_redis_up 1/);
  });
});
