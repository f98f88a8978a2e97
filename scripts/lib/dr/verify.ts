/**
 * Is a restored system whole? Every delivery the read model or Temporal knows is checked: its workflow
 * answers the state query (which replays its history on a worker, so the history is intact and still
 * deterministic), and the read model's row has that status and seq, with a timeline of every seq
 * from 1 without a gap.
 */
import type { Client } from '@temporalio/client';
import { QueryTypes, type Sequelize } from 'sequelize';
import { workflowIdFor, type DeliveryState } from '../../../domain/delivery.js';

export interface Mismatch {
  id: string;
  readModel: { status: string; seq: number; events: number } | null;
  workflow: { status: string; seq: number } | string;
}

/** The deliveries in the read model and those Temporal lists, once each. */
export async function knownDeliveries(client: Client, sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>('SELECT id FROM deliveries', { type: QueryTypes.SELECT });
  const ids = new Set(rows.map((r) => r.id));
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'deliveryWorkflow'` })) ids.add(wf.workflowId.replace(/^delivery-/, ''));
  return [...ids].sort();
}

export async function compareWithWorkflows(client: Client, sequelize: Sequelize, ids: string[]): Promise<{ checked: number; mismatches: Mismatch[]; open: number }> {
  const mismatches: Mismatch[] = [];
  let open = 0;
  for (const id of ids) {
    const [row] = await sequelize.query<{ status: string; seq: number }>('SELECT status, seq FROM deliveries WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT });
    const events = await sequelize.query<{ seq: number }>('SELECT seq FROM delivery_events WHERE delivery_id = :id ORDER BY seq', { replacements: { id }, type: QueryTypes.SELECT });
    const readModel = row ? { status: row.status, seq: row.seq, events: events.length } : null;
    let workflow: Mismatch['workflow'];
    try {
      const handle = client.workflow.getHandle(workflowIdFor(id));
      const state = await handle.query<DeliveryState>('state');
      workflow = { status: state.status, seq: state.seq };
      if ((await handle.describe()).status.name === 'RUNNING') open += 1;
    } catch (error) {
      workflow = `no state: ${error instanceof Error ? error.message : String(error)}`;
    }
    const gapless = events.every((e, i) => e.seq === i + 1);
    const equal = readModel !== null && typeof workflow !== 'string' && readModel.status === workflow.status && readModel.seq === workflow.seq && readModel.events === workflow.seq && gapless;
    if (!equal) mismatches.push({ id, readModel, workflow });
  }
  return { checked: ids.length, mismatches, open };
}
