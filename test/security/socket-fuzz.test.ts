import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, loginAs, waitFor, type Session } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { startChild, type ChildService } from '../support/processes.js';

/** Random events and payloads at the API's Socket.IO server, run as its own process so a crash shows. */
describe('socket event fuzz', () => {
  let api: ChildService;
  let base: string;
  let dispatcher: Session;
  let driver: Session;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = await startChild('api/server.ts', { PORT: String(port) }, /api listening/);
    [dispatcher, driver] = await loginAs(base, 'dispatcher', 'driver1');
  });
  afterAll(() => api?.kill('SIGTERM'));

  const connect = (auth: Record<string, unknown>) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = io(base, { auth, transports: ['websocket'], reconnection: false, timeout: 5000 });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });

  // Names the client library itself refuses to send are left out.
  const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];
  const eventName = fc.oneof(
    fc.constantFrom('delivery:subscribe', 'delivery:unsubscribe', 'driver:location', 'join', '__proto__', 'constructor'),
    fc.string({ maxLength: 30 }),
  ).filter((name) => !RESERVED.includes(name));
  const payload = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.uuid(), fc.string({ maxLength: 5000 }), fc.constant(undefined));

  it('survives thousands of random events and handshakes with no crash and no unhandled rejection', async () => {
    const sockets = await Promise.all([connect({ token: dispatcher.token }), connect({ token: driver.token })]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1 }), eventName, fc.array(payload, { maxLength: 3 }), fc.boolean(), async (who, name, args, withAck) => {
        const socket = sockets[who]!;
        if (!socket.connected) socket.connect();
        if (withAck) socket.timeout(300).emit(name, ...args, () => {});
        else socket.emit(name, ...args);
      }),
      { numRuns: 2000 },
    );
    // Events on one socket are handled in order: an answered subscribe means the fuzz before it was handled.
    for (const socket of sockets) {
      if (socket.connected) await socket.timeout(10_000).emitWithAck('delivery:subscribe', '00000000-0000-4000-8000-000000000000');
    }
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 12 }), payload, { maxKeys: 3 }), async (auth) => {
        await connect(auth).then((s) => s.close()).catch(() => undefined);
      }),
      { numRuns: 150 },
    );
    for (const s of sockets) s.close();

    await waitFor('the api still answering', async () => (await call(base, 'GET', '/health')).status === 200);
    expect(api.child.exitCode).toBe(null);
    expect(api.output()).not.toMatch(/unhandled|uncaught|TypeError|RangeError/i);
    // A well-formed subscription still works afterwards.
    const socket = await connect({ token: dispatcher.token });
    const reply = await socket.timeout(5000).emitWithAck('delivery:subscribe', '00000000-0000-4000-8000-000000000000');
    expect(reply).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    socket.close();
  }, 120_000);
});
