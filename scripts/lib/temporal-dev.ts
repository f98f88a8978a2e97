/** Makes sure a Temporal server answers at TEMPORAL_ADDRESS, starting the local dev server when it may. */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../../config/env.js';
import { isReachable, startDevServer, type DevServer } from '../temporal.mjs';
import { DependencyError } from './dependencies.js';
import { ensureSearchAttributes } from './search-attributes.js';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function split(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!match) throw new DependencyError(`TEMPORAL_ADDRESS must be host:port, not "${address}"`);
  return { host: match[1]!, port: Number(match[2]) };
}

export interface TemporalForDev {
  /** Set when this process started the dev server and must stop it. */
  devServer?: DevServer;
  uiUrl: string;
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

/** True once a worker polls the task queue, so a delivery created right after "ready" is picked up at once. */
export async function waitForWorker(config: Readonly<Config>, timeoutMs: number): Promise<boolean> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const described = await client.workflowService.describeTaskQueue({
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      });
      if ((described.pollers ?? []).length > 0) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  } finally {
    await connection.close();
  }
}
