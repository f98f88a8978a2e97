import { createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCATION_PATH, locationFastPath } from './location-fast-path.js';
import { createApiMetrics } from './metrics.js';

const DRIVER = { id: 'u1', role: 'driver', email: 'd@example.com', name: 'D', driverId: 'd1', sessionId: 's1' };

/** The fast path with a remembered driver and a service that does what `record` says; the app answers 418 to what it gets. */
function fastPath(record: () => Promise<{ accepted: number }>) {
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const app = vi.fn<RequestListener>((_req, res) => {
    res.statusCode = 418;
    res.end();
  });
  const recordLocation = vi.fn(record);
  const listener = locationFastPath(
    {
      tokens: { verifiedClaims: () => ({ sub: DRIVER.id, sid: DRIVER.sessionId }) } as never,
      auth: { rememberedUser: () => DRIVER } as never,
      limiter: { spendLeased: () => true } as never,
      drivers: { recordLocation } as never,
      logger,
      metrics: createApiMetrics(),
      fixedHeaders: [['Vary', 'Origin']],
      corsOrigins: new Set(['https://partner.example']),
    },
    app,
  );
  return { listener, app, recordLocation, logs };
}

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${LOCATION_PATH}`;
}

const ping = () => JSON.stringify({ lat: 1, lng: 2, recordedAt: new Date().toISOString() });
const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c' }, body });

describe('location fast path', () => {
  it('answers a failure after the ping was taken as the app would: a 500 problem, logged with the request id', async () => {
    const { listener, app, logs } = fastPath(() => Promise.reject(new Error('connection refused')));
    const res = await post(await serve(listener), ping());
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status: 500, code: 'INTERNAL', requestId: res.headers.get('x-request-id') });
    expect(JSON.stringify(body)).not.toContain('connection refused');
    expect(app).not.toHaveBeenCalled();
    const failed = logs.find((l) => l.msg === 'request failed');
    expect(failed).toMatchObject({ requestId: res.headers.get('x-request-id'), err: { message: 'connection refused' } });
    expect(logs.find((l) => l.msg === 'request')).toMatchObject({ status: 500, user: DRIVER.id, path: LOCATION_PATH });
  });

  it('takes nothing from a sender that leaves mid-body, and keeps serving', async () => {
    const { listener, recordLocation } = fastPath(() => Promise.resolve({ accepted: 1 }));
    const url = new URL(await serve(listener));
    const body = ping();
    await new Promise<void>((resolve) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c', 'content-length': String(body.length) } });
      req.on('error', () => resolve());
      req.write(body.slice(0, 10), () => setTimeout(() => (req.destroy(), resolve()), 50));
    });
    const res = await post(url.toString(), body);
    expect([res.status, await res.json()]).toEqual([202, { accepted: 1 }]);
    expect(recordLocation).toHaveBeenCalledTimes(1);
  });

  it('leaves other routes, methods and query strings to the app', async () => {
    const { listener, app } = fastPath(() => Promise.resolve({ accepted: 1 }));
    const url = await serve(listener);
    const statuses = [
      (await post(`${url}?x=1`, ping())).status,
      (await post(url.replace('location', 'duty'), ping())).status,
      (await fetch(url, { headers: { authorization: 'Bearer a.b.c' } })).status,
    ];
    expect(statuses).toEqual([418, 418, 418]);
    expect(app).toHaveBeenCalledTimes(3);
  });
});
