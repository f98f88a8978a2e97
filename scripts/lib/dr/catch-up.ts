/**
 * After a restore, the read model may lag the workflows: it is dumped first, so every row in it comes
 * from a transition Temporal's dump also holds, but a transition recorded between the two dumps is in
 * the history and not in the table. A delivery of the earlier shape carries every transition it recorded
 * in its history (the input of its recordTransition activities); a lean one records its own changes
 * through local activities, whose inputs its history does not keep, so it is asked for its timeline and its state (a
 * query, answered by a worker replaying it, closed or not). The missing ones are written through the same
 * idempotent, seq-ordered statement the activity runs. Nothing is published: those updates went out
 * before the disaster.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Sequelize } from 'sequelize';
import { readModelPosition } from '../../../db/read-model.js';
import { createReadModelActivities } from '../../../activities/read-model.js';
import { workflowIdFor, type TransitionRecord } from '../../../domain/delivery.js';
import { stateQuery, timelineQuery } from '../../../workflows/messages.js';

/** The transitions a delivery's history recorded, in seq order. */
export async function recordedTransitions(client: Client, deliveryId: string): Promise<TransitionRecord[]> {
  const history = await client.workflow.getHandle(workflowIdFor(deliveryId)).fetchHistory();
  const records: TransitionRecord[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'recordTransition') continue;
    const input = scheduled.input?.payloads?.[0];
    if (input) records.push(defaultPayloadConverter.fromPayload<TransitionRecord>(input));
  }
  if (records.length === 0) {
    // Each event with the delivery's latest state: the row takes the latest once, the events each their own.
    const handle = client.workflow.getHandle(workflowIdFor(deliveryId));
    const [state, timeline] = await Promise.all([handle.query(stateQuery), handle.query(timelineQuery)]);
    for (const event of timeline) records.push({ ...event, type: event.type as TransitionRecord['type'], deliveryId, snapshot: state });
  }
  return records.sort((a, b) => a.seq - b.seq);
}

/** Writes what the read model misses of each delivery; returns how many transitions were written. */
export async function catchUpReadModel(options: { client: Client; sequelize: Sequelize; deliveryIds: string[]; links: { uiUrl: string; namespace: string } }): Promise<number> {
  const readModel = createReadModelActivities({ sequelize: options.sequelize, links: options.links, hooks: [] });
  let written = 0;
  for (const id of options.deliveryIds) {
    const { row, eventSeqs } = await readModelPosition(options.sequelize, id);
    const have = new Set(eventSeqs);
    for (const record of await recordedTransitions(options.client, id)) {
      if (row && record.seq <= row.seq && have.has(record.seq)) continue;
      await readModel.recordTransition(record, { publishSeparately: true });
      written += 1;
    }
  }
  return written;
}
