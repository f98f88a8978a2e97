/**
 * A process that cannot start says why in one log line and exits 1: Temporal unreachable, or the port
 * it should listen on taken. (Postgres and Redis down do not stop a start: /ready reports them.)
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { startChild } from '../support/processes.js';

/** The child's fatal line, from the error `startChild` rejects with when the child exits before it is ready. */
async function failureOf(entry: string, overrides: Record<string, string>): Promise<{ code: string; fatal: Record<string, unknown> }> {
  const ready = entry === 'api/server.ts' ? /api listening/ : /"msg":"worker running"/;
  const error = await startChild(entry, { WORKER_METRICS_PORT: '0', ...overrides }, ready, 60_000).then(
    () => expect.fail(`${entry} started`),
    (err: Error) => err,
  );
  const code = /exited with (\S+)/.exec(error.message)?.[1] ?? 'none';
  const fatal = error.message.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).find((entry) => entry.level === 60);
  return { code, fatal };
}

describe('a process that cannot start', () => {
  let taken: Server | undefined;
  afterAll(() => taken?.close());

  it('exits 1 naming the Temporal address it could not reach (api and worker)', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const [api, worker] = await Promise.all([
      failureOf('api/server.ts', { TEMPORAL_ADDRESS: address, PORT: String(await freePort()) }),
      failureOf('worker/temporal-worker.ts', { TEMPORAL_ADDRESS: address }),
    ]);
    expect(api.code).toBe('1');
    expect(api.fatal).toMatchObject({ name: 'api', msg: 'api could not start', err: expect.stringContaining(`cannot reach Temporal at ${address}`) });
    expect(worker.code).toBe('1');
    expect(worker.fatal).toMatchObject({ name: 'worker', msg: 'worker could not start', err: expect.stringContaining(`cannot reach Temporal at ${address}`) });
  });

  it('exits 1 naming the API port that is taken', async () => {
    const port = await freePort();
    taken = createServer();
    await new Promise<void>((resolve) => taken!.listen(port, resolve));
    const api = await failureOf('api/server.ts', { PORT: String(port) });
    expect(api.code).toBe('1');
    expect(api.fatal).toMatchObject({ msg: 'api could not start', err: `api port ${port} is in use: set PORT to a free port` });
  });
});
