import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from './webhook-signature.js';

// The example from the Standard Webhooks specification and its reference libraries.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signing', () => {
  it('matches the Standard Webhooks known vector', () => {
    expect(signWebhook(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it('signs what an independent HMAC over id.timestamp.body gives', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const key = Buffer.from(secret.slice(6), 'base64');
    const mac = createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(secret, 'msg_1', 1_700_000_000, '{"a":1}')).toBe(`v1,${mac}`);
  });

  it('verifies its own headers and rejects a changed body, another secret, or a stale timestamp', () => {
    const secret = generateWebhookSecret();
    const body = '{"type":"delivery.delivered"}';
    const headers = webhookHeaders(secret, 'msg_x', body);
    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(verifyWebhook(secret, headers, body.replace('delivered', 'cancelled'))).toBe(false);
    expect(verifyWebhook(generateWebhookSecret(), headers, body)).toBe(false);
    const old = webhookHeaders(secret, 'msg_x', body, Math.floor(Date.now() / 1000) - 3600);
    expect(verifyWebhook(secret, old, body)).toBe(false);
  });

  it('accepts a header carrying several signatures when one matches (secret rotation)', () => {
    const h = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': `v1,AAAA ${vector.signature}` };
    expect(verifyWebhook(vector.secret, h, vector.body, 300, vector.timestamp)).toBe(true);
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => signWebhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'm', 1, '')).toThrow(/whsec_/);
  });
});
