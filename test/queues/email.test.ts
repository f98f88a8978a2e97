import { createServer, type Server } from 'node:net';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationHookFor } from '../../activities/notifications.js';
import type { TransitionHook } from '../../activities/read-model.js';
import { loadConfig } from '../../config/env.js';
import { createSequelize } from '../../db/connection.js';
import type { TransitionRecord } from '../../domain/delivery.js';
import { startQueueProcessors, type RunningProcessors } from '../../worker/queue-processors.js';
import { call, deliveryBody, env, isolatedArea, login, registerCustomer, startTestApi, waitFor, type TestApi } from '../support/harness.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** Just enough SMTP to accept messages (no TLS, no auth): what nodemailer sends is what arrives here. */
async function startSmtpSink(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server: Server = createServer((socket) => {
    let mail: Mail = { from: '', to: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push(mail);
          mail = { from: '', to: [], data: '' };
          socket.write('250 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        const address = /<(.*)>/.exec(line)?.[1] ?? '';
        if (verb === 'MAIL') mail.from = address;
        if (verb === 'RCPT') mail.to.push(address);
        if (verb === 'DATA') inData = true;
        if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write(verb === 'DATA' ? '354 go on\r\n' : '250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, mails, close: () => new Promise((r) => server.close(() => r())) };
}

describe('e-mail transport', () => {
  const overrides: Record<string, string> = { REDIS_PREFIX: `${env().REDIS_PREFIX}mail` };
  let api: TestApi;
  let sequelize: Sequelize;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let processors: RunningProcessors;
  let producer: { hook: TransitionHook; close(): Promise<void> };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    overrides.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    overrides.SMTP_FROM = 'Dispatch Desk <desk@example.com>';
    const config = loadConfig({ ...env(), ...overrides });
    api = await startTestApi();
    sequelize = createSequelize(env().DATABASE_URL!);
    processors = await startQueueProcessors(config);
    producer = notificationHookFor(config, sequelize);
  });
  afterAll(async () => {
    await producer?.close();
    await processors?.close();
    await sequelize?.close();
    await api?.close();
    await smtp?.close();
  });

  it('mails the customer and, blind-copied, every dispatcher, and logs each as sent by e-mail', async () => {
    const customer = await registerCustomer(api.url, 'Mina Park');
    const created = await call(api.url, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(isolatedArea()) });
    const delivery = created.body;
    const event = (seq: number, type: string, data: Record<string, unknown>) =>
      ({ deliveryId: delivery.id, seq, type, at: new Date().toISOString(), actor: { kind: 'system' }, data }) as unknown as TransitionRecord;
    await producer.hook(event(40, 'delivered', {}), { ...delivery, status: 'DELIVERED' });
    await producer.hook(event(41, 'alert', { kind: 'pickup_late', message: 'not picked up within 45 min of assignment' }), delivery);

    await waitFor('two mails', async () => smtp.mails.length >= 2);
    const toCustomer = smtp.mails.find((m) => m.to.includes(customer.user.email))!;
    expect(toCustomer.from).toBe('desk@example.com');
    expect(toCustomer.data).toContain(`Subject: Delivery ${delivery.trackingCode}: delivered`);
    expect(toCustomer.data).toContain(`Your delivery ${delivery.trackingCode} has been delivered.`);
    const alert = smtp.mails.find((m) => m !== toCustomer)!;
    expect(alert.to).toContain('dispatcher@example.com');
    // Blind copies: the recipients are in the envelope, not in the headers.
    expect(alert.data).not.toContain('dispatcher@example.com');
    expect(alert.data).toContain('not picked up within 45 min');

    const dispatcher = await login(api.url, 'dispatcher@example.com');
    const logged = await waitFor('both logged as e-mail', async () => {
      const items = (await call(api.url, 'GET', `/api/v1/notifications?deliveryId=${delivery.id}`, { token: dispatcher.token })).body.items as any[];
      const mailed = items.filter((n) => n.seq >= 40);
      return mailed.length === 2 && mailed.every((n) => n.status === 'sent') ? mailed : null;
    });
    expect(logged.map((n) => n.channel)).toEqual(['email', 'email']);
  });
});
