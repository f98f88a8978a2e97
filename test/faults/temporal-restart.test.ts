import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../scripts/temporal.mjs';
import { env, loginAs, startTestApi, type Session, type TestApi } from '../support/harness.js';
import { expectContiguousTimeline } from '../support/flow.js';
import { finishDelivery, startFleet } from '../support/fleet.js';
import { freePort } from '../support/ports.js';
import { startWorkerProcess, type ChildService } from '../support/processes.js';

describe('fault: the Temporal dev server stops and restarts on its persisted file', () => {
  const taskQueue = `deliveries-fault-temporal-${process.pid}`;
  let dir: string;
  let port: number;
  let uiPort: number;
  let server: DevServer | undefined;
  let worker: ChildService | undefined;
  let api: TestApi;
  let customer: Session;
  let dispatcher: Session;

  const startServer = () =>
    startDevServer({ cliPath: env().TEMPORAL_CLI_PATH, port, uiPort, headless: true, dbFile: path.join(dir, 'temporal.sqlite'), log: () => {} });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'temporal-fault-'));
    [port, uiPort] = [await freePort(), await freePort()];
    server = await startServer();
    const overrides = { TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: taskQueue };
    worker = await startWorkerProcess(overrides);
    api = await startTestApi(overrides);
    [customer, dispatcher] = await loginAs(api.url, 'customer', 'dispatcher');
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await api?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes every delivery', async () => {
    const fleet = await startFleet(api.url, customer, dispatcher, 20);
    // Drivers keep tapping through the outage; their apps retry what the API could not take.
    const finishing = fleet.map((flight) => finishDelivery(api.url, flight));
    await new Promise((r) => setTimeout(r, 300));
    await server!.stop();
    await new Promise((r) => setTimeout(r, 3000));
    server = await startServer();
    const finished = await Promise.all(finishing);
    expect(finished.map((d) => d.status)).toEqual(fleet.map(() => 'DELIVERED'));
    for (const flight of fleet) await expectContiguousTimeline(api.url, dispatcher.token, flight.id);
  });
});
