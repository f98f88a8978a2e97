/**
 * Publishes recorded transitions to screens and queues, outside the workflow: the recording activity
 * writes each transition and its outbox row in one statement and hands it here, so a Redis outage never
 * holds up a driver's tap and publishing costs the delivery's history nothing.
 *
 * - A delivery's transitions are published one after another in `seq` order; deliveries in parallel.
 * - A transition that fails to publish stays in the outbox, and so do the later ones of its delivery:
 *   the sweep publishes them in order once they are `staleAfterMs` old, from whichever worker's relay
 *   claims them first (a worker that died leaves its rows to the others); each claim counts in the
 *   row's `sweeps`, and one that fails is released for the next sweep.
 * - Transitions an API recorded (a person's change, api/services/updates-in-flight.ts) are queued in the
 *   group's caller rows, which no relay holds: the first relay to claim them publishes them, when the API
 *   announces them (`relayNoticeChannel`) or on the next sweep, whichever comes first.
 * - Publishing is at least once: a sweep may repeat what a slow hand-off already pushed. Clients keep
 *   the first copy of each `seq`; notifications and webhooks are keyed by it.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Database } from '../db/connection.js';
import { callerGroupOf, claimStale, clearPublished, releaseClaims, type OutboxKey } from '../db/transition-outbox.js';
import type { TransitionRecord } from '../domain/delivery.js';

export interface TransitionRelayOptions {
  sequelize: Database;
  /** The rows this relay publishes: its workers' task queue. */
  group: string;
  /** Also publishes the rows callers queued for this group (`callerGroupOf`), at once. */
  callerRows?: boolean;
  publish: (record: TransitionRecord) => Promise<void>;
  log?: Pick<Logger, 'warn' | 'error'>;
  /** Rows older than this are swept (default 5 s): well past a hand-off's publish. */
  staleAfterMs?: number;
  /** How often the sweep looks (default 1 s). */
  sweepEveryMs?: number;
  /** Transitions published by the sweep rather than at once, by why. */
  swept?: Counter<'reason'>;
}

export function createRelayMetrics(registry: Registry): Counter<'reason'> {
  return new Counter({
    name: 'delivery_transitions_swept_total',
    help: 'Recorded transitions published by the outbox sweep instead of at once: publish_failed (Redis or a hook failed) or left_behind (a worker stopped first)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
}

/** How long a delivery whose publish failed leaves its later transitions to the sweep. */
const BLOCKED_MS = 30_000;
const CLAIM_MS = 30_000;
const SWEEP_LIMIT = 500;
const CLEAR_EVERY_MS = 50;
/** A publish that has not finished by then counts as failed (a Redis that accepts and never answers). */
const PUBLISH_TIMEOUT_MS = 5_000;

export class TransitionRelay {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly blocked = new Map<string, number>();
  private published: OutboxKey[] = [];
  private clearing: Promise<void> = Promise.resolve();
  private clearTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private sweepingCallerRows: Promise<number> | undefined;
  private callerRowsAgain = false;

  constructor(private readonly options: TransitionRelayOptions) {}

  get group(): string {
    return this.options.group;
  }

  /** Publishes freshly recorded transitions of one or more deliveries; never throws, never waits. */
  handOff(records: TransitionRecord[]): void {
    for (const record of records) {
      const { deliveryId } = record;
      const next = (this.chains.get(deliveryId) ?? Promise.resolve()).then(() => this.publishHandedOff(record));
      this.chains.set(deliveryId, next);
      void next.then(() => {
        if (this.chains.get(deliveryId) === next) this.chains.delete(deliveryId);
      });
    }
  }

  /** Starts sweeping the outbox for what was left unpublished. */
  start(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      if (!this.sweeping) this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
      this.wake();
    }, this.options.sweepEveryMs ?? 1000);
    this.sweepTimer.unref();
  }

  /**
   * Publishes what callers queued, now (an API announced a transition). Passes run one after another;
   * a notice during one asks for another.
   */
  wake(): void {
    if (!this.options.callerRows || !this.sweepTimer) return;
    if (this.sweepingCallerRows) {
      this.callerRowsAgain = true;
      return;
    }
    this.sweepingCallerRows = (async () => {
      let count = 0;
      do {
        this.callerRowsAgain = false;
        count += await this.sweepGroup(callerGroupOf(this.options.group), 0, false);
      } while (this.callerRowsAgain && this.sweepTimer);
      return count;
    })().finally(() => (this.sweepingCallerRows = undefined));
  }

  /** Stops sweeping and waits for what is being published; what is left stays in the outbox. */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweeping;
    await this.sweepingCallerRows;
    await Promise.all(this.chains.values());
    await this.flushCleared();
  }

  /** One pass over the stale rows; returns how many transitions it published. */
  sweep(): Promise<number> {
    return this.sweepGroup(this.options.group, this.options.staleAfterMs ?? 5000);
  }

  /** `leftBehind`: these rows' publish was due earlier (counted in `swept`); caller rows are published this way first. */
  private async sweepGroup(group: string, olderThanMs: number, leftBehind = true): Promise<number> {
    let records: TransitionRecord[];
    try {
      records = await claimStale(this.options.sequelize, { group, olderThanMs, claimMs: CLAIM_MS, limit: SWEEP_LIMIT });
    } catch (err) {
      this.options.log?.warn({ err: (err as Error).message }, 'transition outbox not swept: the database did not answer');
      return 0;
    }
    let count = 0;
    const failed = new Set<string>();
    for (const record of records) {
      // A delivery's later transitions wait until its earlier one is out: its claim expires and a later sweep retries.
      if (failed.has(record.deliveryId)) continue;
      await this.chains.get(record.deliveryId);
      if (await this.publishOne(record)) {
        count += 1;
        if (leftBehind) this.options.swept?.inc({ reason: this.blocked.has(record.deliveryId) ? 'publish_failed' : 'left_behind' });
      } else {
        failed.add(record.deliveryId);
      }
    }
    for (const record of records) if (!failed.has(record.deliveryId)) this.blocked.delete(record.deliveryId);
    await this.flushCleared();
    // What failed is tried again by the next sweep, a second from now, not when the claim runs out.
    await releaseClaims(this.options.sequelize, [...failed]).catch(() => undefined);
    return count;
  }

  private async publishHandedOff(record: TransitionRecord): Promise<void> {
    const since = this.blocked.get(record.deliveryId);
    if (since !== undefined) {
      if (Date.now() - since < BLOCKED_MS) return;
      this.blocked.delete(record.deliveryId);
    }
    if (!(await this.publishOne(record))) this.blocked.set(record.deliveryId, Date.now());
  }

  private async publishOne(record: TransitionRecord): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.publish(record),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`publishing took over ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.options.log?.warn({ err: (err as Error).message, deliveryId: record.deliveryId, seq: record.seq }, 'transition not published yet; the outbox keeps it');
      return false;
    } finally {
      clearTimeout(timer);
    }
    this.published.push({ deliveryId: record.deliveryId, seq: record.seq });
    this.clearTimer ??= setTimeout(() => void this.flushCleared(), CLEAR_EVERY_MS);
    return true;
  }

  /** Deletes published rows in one statement per batch; a failed delete only means a later repeat. */
  private flushCleared(): Promise<void> {
    clearTimeout(this.clearTimer);
    this.clearTimer = undefined;
    const keys = this.published;
    this.published = [];
    this.clearing = this.clearing.then(async () => {
      try {
        await clearPublished(this.options.sequelize, keys);
      } catch (err) {
        this.options.log?.warn({ err: (err as Error).message, rows: keys.length }, 'published transitions not cleared from the outbox; a sweep may publish them again');
      }
    });
    return this.clearing;
  }
}
