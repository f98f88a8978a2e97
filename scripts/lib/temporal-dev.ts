/**
 * The one way this repository starts a Temporal dev server (scripts/temporal.mjs does the starting):
 * `ensureTemporal` for `npm start`, whose server keeps its workflows in `.data/temporal/`, and
 * `startScratchTemporal` for the tests, the benchmarks and the image smoke test, whose server lives on
 * free ports for one run. The production cluster runs the real server (scripts/lib/cluster/).
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../config/env.js';
import { ensureTemporalCli, isReachable, splitAddress, startDevServer, type DevServer, type SqliteStore } from '../temporal.mjs';
import { DependencyError } from './dependencies.js';
import { waitFor } from './poll.js';
import { freePort } from './ports.js';
import { ensureSearchAttributes } from './search-attributes.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface TemporalForDev {
  /** Set when this process started the dev server and must stop it. */
  devServer?: DevServer;
  uiUrl: string;
}

function split(address: string): { host: string; port: number } {
  try {
    return splitAddress(address);
  } catch {
    throw new DependencyError(`TEMPORAL_ADDRESS must be host:port, not "${address}"`);
  }
}

/**
 * A server already answering is used as it is. A local address with nothing on it gets the dev server,
 * its data in `.data/temporal/` so a second start keeps every workflow; a remote one is an error.
 */
export async function ensureTemporal(config: Readonly<Config>, root: string, log: (line: string) => void): Promise<TemporalForDev> {
  const address = config.TEMPORAL_ADDRESS;
  const { host, port } = split(address);
  if (await isReachable(address, 1500)) {
    const connection = await Connection.connect({ address, connectTimeout: '5s' });
    try {
      const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
      if (added.length) log(`registered search attributes ${added.join(', ')}`);
    } finally {
      await connection.close();
    }
    log(`using the Temporal server at ${address}`);
    return { uiUrl: config.TEMPORAL_UI_URL };
  }
  if (!LOCAL_HOSTS.has(host)) {
    throw new DependencyError(`Temporal is not reachable at ${address} — start that server, or unset TEMPORAL_ADDRESS so npm start runs a local dev server`);
  }
  const ui = new URL(config.TEMPORAL_UI_URL);
  const uiPort = LOCAL_HOSTS.has(ui.hostname) && ui.port ? Number(ui.port) : 8233;
  // One SQLite file per port: two dev servers cannot share one.
  const dbFile = path.join(root, '.data', 'temporal', port === 7233 ? 'dev.sqlite' : `dev-${port}.sqlite`);
  log(`starting the Temporal dev server on ${address} (data in ${path.relative(root, dbFile)}, Web UI on :${uiPort})`);
  try {
    const devServer = await startDevServer({ port, uiPort, dbFile, namespace: config.TEMPORAL_NAMESPACE, detached: true, log: (...parts) => log(parts.join(' ')) });
    return { devServer, uiUrl: `http://localhost:${uiPort}` };
  } catch (error) {
    throw new DependencyError(`Temporal dev server did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

interface ScratchTemporal extends DevServer {
  /** The CLI that runs it, for callers that also run `temporal` commands against it. */
  cliPath: string;
}

/**
 * A dev server for one run: free ports, no Web UI, in memory unless a `dbFile` is given (the benchmarks
 * compare SQLite stores with `store`). Builds the CLI first when the cache does not have it yet.
 */
export async function startScratchTemporal(
  options: { cliPath?: string; store?: SqliteStore; dbFile?: string; logFile?: string; log?: (...parts: unknown[]) => void } = {},
): Promise<ScratchTemporal> {
  const log = options.log ?? (() => {});
  const cliPath = options.cliPath ?? (await ensureTemporalCli({ log }));
  const [port, uiPort] = await Promise.all([freePort(), freePort()]);
  const server = await startDevServer({ ...options, cliPath, port, uiPort, headless: true, log });
  return { ...server, cliPath };
}

/** True once a worker polls the task queue, so a delivery created right after "ready" is picked up at once. */
export async function waitForWorker(config: Readonly<Config>, timeoutMs: number): Promise<boolean> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const polled = async () => {
    const described = await client.workflowService.describeTaskQueue({
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    return (described.pollers ?? []).length > 0;
  };
  try {
    return await waitFor('a worker on the task queue', polled, { timeoutMs, everyMs: 500 });
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}
