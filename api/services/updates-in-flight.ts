/**
 * A person's change, recorded by the API. The delivery answers its Update with the transitions it made
 * (workflows/delivery/state.ts, `handOver`) once the workflow task that accepted the Update is durable; the
 * API writes them to the read model, with their outbox rows, before it answers the tap, and tells the
 * workers' relays to publish them. A delivery the API creates hands over its first transitions the same
 * way, the first with its booking.
 *
 * The Update is opened in Postgres before it is sent and closed once its answer is recorded. An API that
 * stops in between, or an Update that answers after the request gave up, leaves the row open: past the
 * Update deadline, any API instance asks the delivery for its latest transitions (a query, which adds
 * nothing to its history) and records what the read model lacks.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../../db/connection.js';
import { bookingOf } from '../../db/read-model.js';
import { callerGroupOf, relayNoticeChannel } from '../../db/transition-outbox.js';
import { writeTransitions } from '../../db/transition-writer.js';
import { UPDATE_CHECKS, claimStaleUpdates, closeUpdates, openUpdate, recordedSeqs } from '../../db/updates-in-flight.js';
import { bookingOfState, wholeTransition, workflowIdFor, type Booking, type SlimTransitionRecord, type TransitionRecord } from '../../domain/delivery.js';
import { recentTransitionsQuery } from '../../workflows/messages.js';

export interface UpdatesInFlightDeps {
  sequelize: Database;
  temporal: Client;
  /** The task queue whose workers' relays publish what the API records. */
  taskQueue: string;
  /** Announces queued transitions; without it, the relays' next sweep publishes them (within a second). */
  redis?: Pick<Redis, 'publish'>;
  redisPrefix: string;
  log: Pick<Logger, 'warn' | 'info'>;
  /** An open Update older than this is checked against its delivery (default `UPDATE_CHECKS.afterMs`). */
  checkAfterMs?: number;
}

const CLAIM_MS = 30_000;
const QUERY_DEADLINE_MS = 5_000;
const CHECK_LIMIT = 100;

export class UpdatesInFlight {
  private readonly group: string;
  private readonly channel: string;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<number> | undefined;
  private stopped = false;

  constructor(private readonly deps: UpdatesInFlightDeps) {
    this.group = callerGroupOf(deps.taskQueue);
    this.channel = relayNoticeChannel(deps.redisPrefix);
  }

  /** Before the Update is sent; returns the row to close. */
  open(deliveryId: string): Promise<string> {
    return openUpdate(this.deps.sequelize, deliveryId);
  }

  /** The Update's transitions, in the read model and queued for publishing; then the row is closed. */
  async record(id: string, transitions: Array<TransitionRecord | SlimTransitionRecord>, booking: Booking): Promise<TransitionRecord[]> {
    const records = transitions.map((t) => wholeTransition(t, booking));
    // The last transition's statement closes the Update too.
    await this.write(records, id);
    return records;
  }

  /** The Update answered without anything for the API to record, or was refused. */
  async close(id: string): Promise<void> {
    await closeUpdates(this.deps.sequelize, [id]).catch((err: Error) => this.deps.log.warn({ err: err.message }, 'update in flight not closed; a later check closes it'));
  }

  /** Checks Updates left open against their deliveries; returns how many transitions it recorded. */
  check(): Promise<number> {
    this.checking ??= this.checkOpen().finally(() => (this.checking = undefined));
    return this.checking;
  }

  start(everyMs = UPDATE_CHECKS.everyMs): void {
    this.timer ??= setInterval(() => void this.check(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  private async write(records: TransitionRecord[], closes?: string): Promise<void> {
    await writeTransitions(this.deps.sequelize, records, { queueFor: this.group, ...(closes ? { closes } : {}) });
    // A Redis that is down never holds up a tap: the relays' sweep finds the rows.
    void this.deps.redis?.publish(this.channel, '1').catch(() => undefined);
  }

  private async checkOpen(): Promise<number> {
    const { sequelize, log } = this.deps;
    let open;
    try {
      open = await claimStaleUpdates(sequelize, { olderThanMs: this.deps.checkAfterMs ?? UPDATE_CHECKS.afterMs, claimMs: CLAIM_MS, limit: CHECK_LIMIT });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'updates in flight not checked: the database did not answer');
      return 0;
    }
    const byDelivery = new Map<string, string[]>();
    for (const { id, deliveryId } of open) byDelivery.set(deliveryId, [...(byDelivery.get(deliveryId) ?? []), id]);
    let recorded = 0;
    for (const [deliveryId, ids] of byDelivery) {
      // Stopping: what is left stays claimed, and another instance checks it once the claim runs out.
      if (this.stopped) break;
      try {
        recorded += await this.catchUp(deliveryId);
        await closeUpdates(sequelize, ids);
      } catch (err) {
        // Temporal or Postgres unreachable: the claim runs out and a later check tries again.
        log.warn({ err: (err as Error).message, deliveryId }, 'update in flight not checked yet');
      }
    }
    return recorded;
  }

  /** Records what the delivery did lately and the read model lacks; returns how many transitions. */
  async catchUp(deliveryId: string): Promise<number> {
    let recent: Array<TransitionRecord | SlimTransitionRecord>;
    try {
      // A delivery whose workers are all gone must not hold the check up.
      const handle = this.deps.temporal.workflow.getHandle(workflowIdFor(deliveryId));
      recent = await this.deps.temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(recentTransitionsQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 0;
      throw err;
    }
    const present = await recordedSeqs(this.deps.sequelize, deliveryId, recent.map((t) => t.seq));
    const missing = recent.filter((t) => !present.has(t.seq));
    if (missing.length === 0) return 0;
    // Without a row, the first transition is among those missing (an API stopped before recording a
    // delivery it created), whole; or it was refused for good, and nothing later can be recorded.
    const first = missing.find((t): t is TransitionRecord => 'snapshot' in t);
    const booking = (await bookingOf(this.deps.sequelize, deliveryId)) ?? (first && bookingOfState(first.snapshot));
    if (!booking) return 0;
    await this.write(missing.map((t) => wholeTransition(t, booking)));
    this.deps.log.info({ deliveryId, seqs: missing.map((t) => t.seq) }, 'recorded what an unanswered update left out of the read model');
    return missing.length;
  }
}
