/** Everything the driver page shows: offers, the current job, duty, location and what waits to sync. */
import { SvelteMap } from 'svelte/reactivity';
import type { Delivery } from '../../../domain/delivery.js';
import { availableMilestones, DRIVER_HELD_STATUSES, isTerminal, type DeliveryStatus, type MilestoneType } from '../../../domain/status.js';
import { api, ApiError, type SessionUser } from '../lib/api.js';
import type { LiveClient } from '../lib/live-client.js';
import { MilestoneOutbox } from './driver-outbox.svelte.js';
import { LocationSharing } from './location-sharing.svelte.js';
import { connectSignedIn } from './live.js';

/** Offers (DISPATCHING) and the jobs the driver holds. */
const OPEN: DeliveryStatus[] = ['DISPATCHING', ...DRIVER_HELD_STATUSES];
const RETRY_MS = 8_000;

export class DriverDesk {
  readonly driverId: string;
  jobs = new SvelteMap<string, Delivery>();
  live = $state<'connecting' | 'connected' | 'disconnected'>('connecting');
  online = $state(navigator.onLine);
  onDuty = $state<boolean | null>(null);
  notices = $state.raw<string[]>([]);
  error = $state('');
  loaded = $state(false);
  readonly outbox: MilestoneOutbox;
  readonly location = new LocationSharing();
  private client: LiveClient | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly dutyKey: string;

  constructor(user: SessionUser) {
    if (!user.driverId) throw new Error('this account has no driver profile');
    this.driverId = user.driverId;
    this.dutyKey = `lp.onDuty.${user.driverId}`;
    const saved = localStorage.getItem(this.dutyKey);
    this.onDuty = saved === null ? null : saved === 'true';
    this.outbox = new MilestoneOutbox({ id: user.driverId, name: user.name }, (d) => this.upsert(d));
  }

  /** The jobs as they will be once the waiting taps land. */
  readonly view = $derived.by(() => [...this.jobs.values()].map((d) => this.outbox.project(d)));

  readonly offers = $derived(this.view.filter((d) => d.status === 'DISPATCHING' && d.offer?.driverId === this.driverId));

  readonly active = $derived(
    this.view
      .filter((d) => d.driver?.id === this.driverId && !isTerminal(d.status) && d.status !== 'DISPATCHING')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
  );

  readonly finished = $derived(
    this.view.filter((d) => d.driver?.id === this.driverId && isTerminal(d.status)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
  );

  /** The buttons the transition table allows this driver now. */
  milestones(d: Delivery): MilestoneType[] {
    return availableMilestones(
      { status: d.status, customerId: d.customerId, driverId: d.driver?.id, offeredDriverId: d.offer?.driverId },
      { kind: 'driver', driverId: this.driverId },
    );
  }

  async start(): Promise<void> {
    await this.outbox.open();
    await this.refresh();
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOffline);
    this.timer = setInterval(() => this.retry(), RETRY_MS);
    try {
      this.client = await connectSignedIn({
        onDelivery: (d) => this.upsert(d),
        onReleased: ({ deliveryId, reason }) => this.release(deliveryId, reason),
        onStatus: (status) => {
          const wasDown = this.live === 'disconnected';
          this.live = status;
          if (status !== 'connected') return;
          this.retry();
          // Offers made while the socket was down reach no tracked job: reload the list.
          if (wasDown) void this.refresh();
        },
      });
      for (const d of this.jobs.values()) this.client.track(d);
    } catch (err) {
      this.error = `Live updates are off: ${err instanceof Error ? err.message : String(err)}`;
    }
    void this.outbox.flush();
  }

  stop(): void {
    this.client?.close();
    this.location.stop();
    if (this.timer) clearInterval(this.timer);
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOffline);
  }

  async refresh(): Promise<void> {
    try {
      const page = await api.deliveries.list({ status: OPEN, limit: 50 });
      for (const d of page.items) this.upsert(d);
      this.loaded = true;
      this.error = '';
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not load your jobs: ${err.summary}` : String(err);
    }
  }

  upsert(d: Delivery): void {
    const current = this.jobs.get(d.id);
    if (current && current.seq > d.seq) return;
    this.jobs.set(d.id, d);
    this.client?.track(d);
  }

  async setDuty(onDuty: boolean): Promise<void> {
    try {
      await api.drivers.setDuty(onDuty);
      this.onDuty = onDuty;
      localStorage.setItem(this.dutyKey, String(onDuty));
      // On duty means findable: share the position; off duty, stop telling anyone where the driver is.
      if (onDuty) this.location.start();
      else this.location.stop();
    } catch (err) {
      this.error = err instanceof ApiError ? `Duty not changed: ${err.summary}` : String(err);
    }
  }

  private release(deliveryId: string, reason: string): void {
    const d = this.jobs.get(deliveryId);
    this.jobs.delete(deliveryId);
    if (d) this.notices = [...this.notices, `The delivery to ${d.dropoff.address} was taken off your list (${reason}).`];
  }

  private retry(): void {
    if (this.outbox.items.length) void this.outbox.flush();
    void this.location.flush();
  }

  private readonly onOnline = () => {
    this.online = true;
    this.retry();
    void this.refresh();
  };

  private readonly onOffline = () => {
    this.online = false;
  };
}
