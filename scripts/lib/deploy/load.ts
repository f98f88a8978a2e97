/**
 * The light load a deploy runs under: the demo customer orders (auto-accepting the quote) while few
 * are open, the five demo drivers take their offers and tap every milestone with a location ping
 * before each, and a dispatcher reads the board. Every request is counted: a 5xx or a request that got
 * no answer is failed; a 4xx (a race between two taps, a rate limit) is refused, not an outage.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Delivery } from '../../../domain/delivery.js';
import { DEMO_CITY } from '../../../db/seed.js';
import { ApiError, SimClient } from '../sim-client.js';

const WORKING = ['ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF'];
const ENDED = ['DELIVERED', 'CANCELLED', 'FAILED', 'RETURNED'];
const MAX_OPEN = 5;
const SIGNATURE = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]).toString('base64')}`;
const near = (spread: number) => ({ lat: DEMO_CITY.lat + (Math.random() - 0.5) * spread, lng: DEMO_CITY.lng + (Math.random() - 0.5) * spread });

export interface LoadReport {
  requests: number;
  failed: number;
  refused: number;
  errorRate: number;
  ordered: number;
  delivered: number;
  /** Ordered during the run and not DELIVERED when it ended: id and last status seen. */
  notDelivered: Array<{ id: string; status: string }>;
  firstFailures: string[];
}

export class DeployLoad {
  private running = true;
  private ordering = true;
  private requests = 0;
  private failed = 0;
  private refused = 0;
  private readonly failures: string[] = [];
  private readonly ordered = new Map<string, string>();
  private readonly loops: Array<Promise<void>> = [];

  constructor(
    private readonly baseUrl: string,
    private readonly password: string,
    options: { order?: boolean } = {},
  ) {
    this.ordering = options.order ?? true;
  }

  /** Deliveries ordered elsewhere (before a restore, say) that this run must see delivered too. */
  adopt(ids: string[]): void {
    for (const id of ids) if (!this.ordered.has(id)) this.ordered.set(id, 'unknown');
  }

  /** The deliveries this run has ordered or adopted. */
  get deliveryIds(): string[] {
    return [...this.ordered.keys()];
  }

  /** A call counted as ok, refused or failed; a refused or failed one returns undefined. */
  private async count<T>(client: SimClient, method: string, path: string, body?: unknown): Promise<T | undefined> {
    this.requests += 1;
    try {
      return await client.call<T>(method, path, body);
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) this.refused += 1;
      else {
        this.failed += 1;
        if (this.failures.length < 10) this.failures.push(`${new Date().toISOString()} ${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return undefined;
    }
  }

  async start(): Promise<void> {
    const customer = new SimClient(this.baseUrl, 'customer@example.com', this.password);
    const dispatcher = new SimClient(this.baseUrl, 'dispatcher@example.com', this.password);
    const drivers = [1, 2, 3, 4, 5].map((n) => new SimClient(this.baseUrl, `driver${n}@example.com`, this.password));
    for (const client of [customer, dispatcher, ...drivers]) await client.login();
    for (const driver of drivers) {
      await driver.call('PUT', '/api/v1/drivers/me/duty', { onDuty: true });
      await driver.call('POST', '/api/v1/drivers/me/location', { ...near(0.02), heading: 0, speedKph: 0, recordedAt: new Date().toISOString() });
    }
    this.loops.push(this.orders(customer), this.board(dispatcher), ...drivers.map((d) => this.drive(d)));
  }

  private async orders(customer: SimClient): Promise<void> {
    while (this.running) {
      if (this.ordering && [...this.ordered.values()].filter((s) => !ENDED.includes(s)).length < MAX_OPEN) {
        const stop = () => ({ address: 'Torstraße 1, Berlin', contactName: 'Mila Novak', ...near(0.05) });
        const body = { pickup: stop(), dropoff: stop(), parcel: { weightKg: 2, description: 'documents' }, priority: 'standard', autoAccept: true };
        const created = await this.count<Delivery>(customer, 'POST', '/api/v1/deliveries', body);
        if (created) this.ordered.set(created.id, created.status);
      }
      for (const id of this.ordered.keys()) {
        if (ENDED.includes(this.ordered.get(id)!)) continue;
        const seen = await this.count<Delivery>(customer, 'GET', `/api/v1/deliveries/${id}`);
        if (seen) this.ordered.set(id, seen.status);
      }
      await sleep(2000);
    }
  }

  private async board(dispatcher: SimClient): Promise<void> {
    while (this.running) {
      await this.count(dispatcher, 'GET', '/api/v1/deliveries?limit=20');
      await sleep(500);
    }
  }

  private async drive(driver: SimClient): Promise<void> {
    const ping = (at: { lat: number; lng: number }) => this.count(driver, 'POST', '/api/v1/drivers/me/location', { lat: at.lat, lng: at.lng, heading: 90, speedKph: 20, recordedAt: new Date().toISOString() });
    const tap = (d: Delivery, body: Record<string, unknown>) => this.count<Delivery>(driver, 'POST', `/api/v1/deliveries/${d.id}/milestones`, { ...body, at: new Date().toISOString() });
    while (this.running) {
      const page = await this.count<{ items: Delivery[] }>(driver, 'GET', `/api/v1/deliveries?status=DISPATCHING,${WORKING.join(',')}&limit=20`);
      const me = driver.user?.driverId;
      for (const d of page?.items ?? []) {
        if (d.status === 'DISPATCHING' && d.offer?.driverId === me) await tap(d, { type: 'accept_offer' });
        else if (d.driver?.id !== me) continue;
        else if (d.status === 'ASSIGNED') await ping(d.pickup).then(() => tap(d, { type: 'arrived_pickup', location: { lat: d.pickup.lat, lng: d.pickup.lng } }));
        else if (d.status === 'AT_PICKUP') await tap(d, { type: 'picked_up', proof: { recipientName: 'Front desk' } });
        else if (d.status === 'IN_TRANSIT') await ping(d.dropoff).then(() => tap(d, { type: 'arrived_dropoff', location: { lat: d.dropoff.lat, lng: d.dropoff.lng } }));
        else if (d.status === 'AT_DROPOFF') await tap(d, { type: 'delivered', proof: { recipientName: 'Resident', signature: SIGNATURE } });
      }
      await sleep(1000);
    }
  }

  /** Stops ordering, lets the drivers finish what was ordered (up to `settleMs`), then stops. */
  async stop(settleMs: number): Promise<LoadReport> {
    this.ordering = false;
    const deadline = Date.now() + settleMs;
    while (Date.now() < deadline && [...this.ordered.values()].some((s) => !ENDED.includes(s))) await sleep(1000);
    this.running = false;
    await Promise.all(this.loops);
    const notDelivered = [...this.ordered].filter(([, s]) => s !== 'DELIVERED').map(([id, status]) => ({ id, status }));
    return {
      requests: this.requests,
      failed: this.failed,
      refused: this.refused,
      errorRate: this.requests ? this.failed / this.requests : 0,
      ordered: this.ordered.size,
      delivered: this.ordered.size - notDelivered.length,
      notDelivered,
      firstFailures: this.failures,
    };
  }
}
