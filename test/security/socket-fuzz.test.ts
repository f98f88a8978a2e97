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
      const closedEarly = (reason: string) => {
        socket.close();
        reject(new Error(`connection closed before the handshake was answered: ${reason}`));
      };
      socket.once('connect', () => {
        socket.io.off('close', closedEarly);
        resolve(socket);
      });
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
      // A handshake over the server's packet limit (16 KiB) is answered by closing the connection, which the
      // client reports as a close of its transport, not as a connect error.
      socket.io.once('close', closedEarly);
    });

  // Names the client library itself refuses to send are left out.
  const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];
  const eventName = fc.oneof(
    fc.constantFrom('delivery:subscribe', 'delivery:unsubscribe', 'driver:location', 'join', '__proto__', 'constructor'),
    fc.string({ maxLength: 30 }),
  ).filter((name) => !RESERVED.includes(name));
  /** Strings a hostile or broken client sends: control characters, lone surrogates, RTL marks, emoji, 10k characters. */
  const hostileString = fc.oneof(
    fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001B', '\u0085', '\uD800', '\uDFFF', '\u200F', '\u202E', '📦', 'a'), maxLength: 40 }),
    fc.uuid().map((u) => `${u}\u0000`),
    fc.constant('x'.repeat(10_000)),
  );
  const payload = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.uuid(), fc.string({ maxLength: 5000 }), hostileString, fc.constant(undefined));

  it('survives thousands of random events and handshakes with no crash and no unhandled rejection', async () => {
    const sockets = await Promise.all([connect({ token: dispatcher.token }), connect({ token: driver.token })]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1 }), eventName, fc.array(payload, { maxLength: 3 }), fc.boolean(), async (who, name, args, withAck) => {
        const socket = sockets[who]!;
        if (!socket.connected) socket.connect();
        if (withAck) socket.timeout(300).emit(name, ...args, () => {});
        else socket.emit(name, ...args);
      }),
      { numRuns: 600 },
    );
    // Events on one socket are handled in order: an answered subscribe means the fuzz before it was handled.
    for (const socket of sockets) {
      if (!socket.connected) continue;
      // A socket the server closed meanwhile (a flood, a malformed packet) has nothing of the fuzz left to handle.
      await socket
        .timeout(10_000)
        .emitWithAck('delivery:subscribe', '00000000-0000-4000-8000-000000000000')
        .catch((err: Error) => {
          if (socket.connected) throw err;
        });
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

  it('refuses a flood of delivery:subscribe without a query each, and disconnects the flooding socket', async () => {
    const flooder = await connect({ token: driver.token });
    const disconnected = new Promise<string>((resolve) => flooder.once('disconnect', (reason) => resolve(reason)));
    const answers: Array<{ ok: boolean; code?: string }> = [];
    const started = Date.now();
    for (let i = 0; i < 1500 && flooder.connected; i++) {
      flooder.timeout(5000).emit('delivery:subscribe', crypto.randomUUID(), (err: Error | null, reply: { ok: boolean; code?: string }) => {
        if (!err) answers.push(reply);
      });
    }
    expect(await Promise.race([disconnected, new Promise((r) => setTimeout(() => r('still connected'), 15_000))])).toBe('io server disconnect');
    expect(Date.now() - started).toBeLessThan(15_000);
    // Within the allowance each was looked up (none exists); past it each was refused without a look-up.
    expect(answers.filter((a) => a.code === 'NOT_FOUND').length).toBeLessThanOrEqual(240);
    expect(answers.filter((a) => a.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(answers.length).toBeLessThanOrEqual(480);
    // The account is not locked out: a new connection follows deliveries again.
    const fresh = await connect({ token: driver.token });
    expect(await fresh.timeout(5000).emitWithAck('delivery:subscribe', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 'NOT_FOUND' });
    fresh.close();
  }, 60_000);
});
