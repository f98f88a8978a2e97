/** Collects location pings and writes them in batches: history rows plus each driver's latest position. */
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { LocationPing } from '../../domain/schemas.js';

export class LocationBuffer {
  private pending: Array<LocationPing & { driverId: string }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly log: Logger,
    private readonly options = { maxBatch: 1000, intervalMs: 500 },
  ) {}

  add(driverId: string, pings: LocationPing[]): void {
    for (const p of pings) this.pending.push({ ...p, driverId });
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch)).catch((err) => {
      this.log.error({ err, pings: batch.length }, 'location batch not saved; keeping it for the next flush');
      this.pending.unshift(...batch);
      this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs * 4);
    });
    return this.flushing;
  }

  private async write(batch: Array<LocationPing & { driverId: string }>): Promise<void> {
    const rows = JSON.stringify(batch.map((p) => ({ d: p.driverId, lat: p.lat, lng: p.lng, h: p.heading ?? null, s: p.speedKph ?? null, t: p.recordedAt })));
    await this.sequelize.query(
      `WITH rows AS (
         SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(d uuid, lat float8, lng float8, h float8, s float8, t timestamptz)
       ), inserted AS (
         INSERT INTO driver_locations (driver_id, lat, lng, heading, speed_kph, recorded_at)
         SELECT d, lat, lng, h, s, t FROM rows
       ), latest AS (
         SELECT DISTINCT ON (d) d, lat, lng, h, t FROM rows ORDER BY d, t DESC
       )
       UPDATE drivers SET lat = latest.lat, lng = latest.lng, heading = latest.h, location_at = latest.t, updated_at = now()
         FROM latest WHERE drivers.id = latest.d AND (drivers.location_at IS NULL OR drivers.location_at < latest.t)`,
      { replacements: { rows } },
    );
  }

  async close(): Promise<void> {
    await this.flush();
    await this.flushing;
  }

  /** Drops history older than the retention period. */
  async prune(retentionDays: number): Promise<void> {
    await this.sequelize.query(`DELETE FROM driver_locations WHERE recorded_at < now() - make_interval(days => :days)`, {
      replacements: { days: retentionDays },
    });
  }
}
