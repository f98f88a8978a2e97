/**
 * The replay gate: a build's prebuilt workflow bundle (what its workers will run) replays the recorded
 * histories of workflows/histories and the histories of deliveries open on the cluster right now. One
 * nondeterminism error and the build must not reach a worker: a running delivery would fail its next
 * workflow task on it. Guard the change with patched() and build again.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';

export interface GateOptions {
  build: string;
  historiesDir: string;
  /** Open deliveries are fetched from here; absent, only the recorded histories are replayed. */
  cluster?: { address: string; namespace: string; openSample: number };
}

export interface GateResult {
  replayed: number;
  open: number;
  failures: Array<{ workflowId: string; error: string }>;
  ms: number;
}

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

async function recorded(dir: string): Promise<Array<{ workflowId: string; history: History }>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => ({ workflowId: path.basename(f, '.json'), history: historyFromJSON(JSON.parse(await readFile(path.join(dir, f), 'utf8'))) })));
}

async function openDeliveries(cluster: NonNullable<GateOptions['cluster']>): Promise<Array<{ workflowId: string; history: History }>> {
  const connection = await Connection.connect({ address: cluster.address, connectTimeout: '5s' });
  try {
    const client = new Client({ connection, namespace: cluster.namespace });
    const found: Array<{ workflowId: string; history: History }> = [];
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'deliveryWorkflow' AND ExecutionStatus = 'Running'` })) {
      found.push({ workflowId: wf.workflowId, history: await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory() });
      if (found.length >= cluster.openSample) break;
    }
    return found;
  } finally {
    await connection.close();
  }
}

export async function replayGate(options: GateOptions): Promise<GateResult> {
  const started = Date.now();
  const histories = await recorded(options.historiesDir);
  const open = options.cluster ? await openDeliveries(options.cluster) : [];
  const failures: GateResult['failures'] = [];
  let replayed = 0;
  const bundle = { codePath: path.join(options.build, 'workflow-bundle.js') };
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [...histories, ...open])) {
    replayed += 1;
    if (result.error) failures.push({ workflowId: result.workflowId, error: `${result.error.name}: ${result.error.message.split('\n')[0]}` });
  }
  return { replayed, open: open.length, failures, ms: Date.now() - started };
}
