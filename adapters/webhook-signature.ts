/** Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over `id.timestamp.body`. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'whsec_';

/** A fresh signing secret in the `whsec_<base64>` form receivers' libraries expect. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(24).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length < 16) throw new Error('a webhook secret needs at least 16 bytes of key');
  return key;
}

/** The `webhook-signature` header value: `v1,<base64 HMAC>`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The headers one send carries; `timestamp` is seconds since the epoch, fresh on every attempt. */
export function webhookHeaders(secret: string, id: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

/**
 * What a receiver does: any of the space-separated `v1,` signatures matches and the timestamp is within
 * the tolerance (replay protection).
 */
export function verifyWebhook(secret: string, headers: Record<string, string | undefined>, body: string, toleranceS = 300, nowS = Date.now() / 1000): boolean {
  const id = headers['webhook-id'];
  const ts = Number(headers['webhook-timestamp']);
  const given = headers['webhook-signature'];
  if (!id || !Number.isInteger(ts) || !given || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, id, ts, body).slice(3), 'base64');
  return given.split(' ').some((candidate) => {
    const [version, mac] = candidate.split(',');
    if (version !== 'v1' || !mac) return false;
    const bytes = Buffer.from(mac, 'base64');
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  });
}
