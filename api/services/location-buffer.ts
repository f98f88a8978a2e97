/** Collects location pings and writes them in batches: history rows plus each driver's latest position. */
import type { Logger } from 'pino';
import type { DriverPing, LocationStore } from '../../db/locations.js';
import type { LocationPing } from '../../domain/schemas.js';

export interface LocationBufferOptions {
  maxBatch: number;
  intervalMs: number;
  /** While Postgres is down, keep at most this many unsaved pings (the oldest go first). */
  maxBacklog: number;
}

const DEFAULTS: LocationBufferOptions = { maxBatch: 1000, intervalMs: 500, maxBacklog: 50_000 };
const PRUNE_CHUNK = 10_000;

export class LocationBuffer {
  private pending: DriverPing[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly options: LocationBufferOptions;

  constructor(
    private readonly store: LocationStore,
    private readonly log: Logger,
    options: Partial<LocationBufferOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  add(driverId: string, pings: LocationPing[]): void {
    // Named fields: a literal is cheaper than spreading the parsed ping, on the busiest path there is.
    for (const p of pings) this.pending.push({ driverId, lat: p.lat, lng: p.lng, heading: p.heading, speedKph: p.speedKph, recordedAt: p.recordedAt });
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.store.record(batch)).catch((err) => {
      this.pending.unshift(...batch);
      const dropped = Math.max(0, this.pending.length - this.options.maxBacklog);
      if (dropped > 0) this.pending.splice(0, dropped);
      this.log.error({ err, pings: batch.length, dropped }, 'location batch not saved; keeping it for the next flush');
      this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs * 4);
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.flushing;
  }

  /** Drops history older than the retention period, in chunks so no statement holds locks for long. */
  async prune(retentionDays: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const count = await this.store.pruneOlderThan(retentionDays, PRUNE_CHUNK);
      removed += count;
      if (count < PRUNE_CHUNK) return removed;
    }
  }
}

/** Prunes location history once soon after start and then every `everyMs`; every API instance may run it (the delete is idempotent). */
export function scheduleLocationPrune(buffer: LocationBuffer, retentionDays: number, log: Logger, everyMs = 60 * 60_000): { stop(): void } {
  const run = () =>
    buffer
      .prune(retentionDays)
      .then((removed) => {
        if (removed > 0) log.info({ removed, retentionDays }, 'old driver locations pruned');
      })
      .catch((err) => log.warn({ err }, 'driver location prune failed; next try in an hour'));
  const first = setTimeout(run, Math.min(everyMs, 60_000));
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
