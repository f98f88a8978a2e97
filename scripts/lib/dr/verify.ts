/**
 * Is a restored system whole? Every delivery the read model or Temporal knows is checked: its workflow
 * answers the state query (which replays its history on a worker, so the history is intact and still
 * deterministic), and the read model's row has that status and seq, with a timeline of every seq
 * from 1 without a gap.
 */
import type { Client } from '@temporalio/client';
import type { Sequelize } from 'sequelize';
import { deliveryIds, readModelPosition } from '../../../db/read-model.js';
import { workflowIdFor, type DeliveryState } from '../../../domain/delivery.js';

export interface Mismatch {
  id: string;
  readModel: { status: string; seq: number; events: number } | null;
  workflow: { status: string; seq: number } | string;
}

/** The deliveries in the read model and those Temporal lists, once each. */
export async function knownDeliveries(client: Client, sequelize: Sequelize): Promise<string[]> {
  const ids = new Set(await deliveryIds(sequelize));
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'deliveryWorkflow'` })) ids.add(wf.workflowId.replace(/^delivery-/, ''));
  return [...ids].sort();
}

export async function compareWithWorkflows(client: Client, sequelize: Sequelize, ids: string[]): Promise<{ checked: number; mismatches: Mismatch[]; open: number }> {
  const mismatches: Mismatch[] = [];
  let open = 0;
  for (const id of ids) {
    const { row, eventSeqs } = await readModelPosition(sequelize, id);
    const readModel = row ? { status: row.status, seq: row.seq, events: eventSeqs.length } : null;
    let workflow: Mismatch['workflow'];
    try {
      const handle = client.workflow.getHandle(workflowIdFor(id));
      const state = await handle.query<DeliveryState>('state');
      workflow = { status: state.status, seq: state.seq };
      if ((await handle.describe()).status.name === 'RUNNING') open += 1;
    } catch (error) {
      workflow = `no state: ${error instanceof Error ? error.message : String(error)}`;
    }
    const gapless = eventSeqs.every((seq, i) => seq === i + 1);
    const equal = readModel !== null && typeof workflow !== 'string' && readModel.status === workflow.status && readModel.seq === workflow.seq && readModel.events === workflow.seq && gapless;
    if (!equal) mismatches.push({ id, readModel, workflow });
  }
  return { checked: ids.length, mismatches, open };
}
