/** One guarded HTTP POST of a webhook: vetted addresses only, no redirects, a hard deadline, a short excerpt. */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, TargetRefusedError, vetTarget } from '../adapters/ssrf-guard.js';

export interface SendOptions {
  allowedHosts: readonly string[];
  timeoutMs: number;
  /** How much of the response body is kept for the owner to read. */
  excerptChars?: number;
}

export interface SendResult {
  status: number;
  excerpt: string;
  location?: string;
}

const MAX_READ_BYTES = 4096;

export async function postWebhook(target: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new TargetRefusedError(`not a URL: ${target}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefusedError(`only http and https are sent to, not ${url.protocol}`);
  if (url.username || url.password) throw new TargetRefusedError('URLs with credentials are not sent to');
  // Vetting here gives a clear error for literals and unresolvable names; the lookup below re-vets at connect.
  await vetTarget(url, options.allowedHosts);
  const client = url.protocol === 'https:' ? https : http;
  const excerptChars = options.excerptChars ?? 500;

  return new Promise<SendResult>((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'logistics-platform-webhooks/1' },
      lookup: guardedLookup(options.allowedHosts),
      agent: false,
      timeout: options.timeoutMs,
    });
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        clearTimeout(deadline);
        const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, excerptChars);
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        resolve({ status: res.statusCode ?? 0, excerpt, ...(location ? { location } : {}) });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough to show the owner; the rest is not worth reading.
        if (size >= MAX_READ_BYTES) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.end(body);
  });
}
