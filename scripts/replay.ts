/**
 * `npm run replay -- <workflow-id | history.json>`: replays a delivery's recorded history against the
 * workflow code in this checkout. Exit 0: the code still produces the same commands. A determinism
 * error names the first diverging event: guard that change with patched(). JSON files are what
 * `temporal workflow show --workflow-id <id> --output json` writes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../config/env.js';

const source = process.argv[2];
if (!source) {
  console.error('usage: npm run replay -- <workflow-id | history.json>');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.extname(fileURLToPath(import.meta.url));
const workflowsPath = path.resolve(here, '..', 'workflows', `index${ext}`);

async function loadHistory(from: string) {
  if (from.endsWith('.json')) {
    return { workflowId: path.basename(from, '.json'), history: historyFromJSON(JSON.parse(await readFile(from, 'utf8'))) };
  }
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    return { workflowId: from, history: await client.workflow.getHandle(from).fetchHistory() };
  } finally {
    await connection.close();
  }
}

// The bundler's progress lines would bury the one line that matters.
Runtime.install({ logger: new DefaultLogger('WARN') });

try {
  const { workflowId, history } = await loadHistory(source);
  await Worker.runReplayHistory({ workflowsPath }, history, workflowId);
  console.log(`replayed ${workflowId}: ${history.events?.length ?? 0} events, deterministic with the current code`);
} catch (error) {
  console.error(`replay of ${source} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exit(1);
}
