/** The dispatcher's live picture: every delivery by status, the drivers, the alerts, the one selected. */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { Delivery } from '../../../domain/delivery.js';
import type { AlertEvent } from '../../../domain/events.js';
import { availableActions, DELIVERY_STATUSES, type DeliveryAction, type DeliveryStatus, type Role } from '../../../domain/status.js';
import { api, ApiError, type DriverSummary } from '../lib/api.js';
import { connectLive, type LiveClient } from '../lib/live-client.js';
import { session } from './session.svelte.js';

const HIDDEN_BY_DEFAULT: DeliveryStatus[] = ['RETURNED', 'CANCELLED', 'EXPIRED'];
const DRIVERS_REFRESH_MS = 30_000;

export interface BoardAlert extends AlertEvent {
  key: string;
}

export class DispatchBoard {
  deliveries = new SvelteMap<string, Delivery>();
  drivers = new SvelteMap<string, DriverSummary>();
  alerts = $state.raw<BoardAlert[]>([]);
  selectedId = $state<string | null>(null);
  live = $state<'connecting' | 'connected' | 'disconnected'>('connecting');
  error = $state('');
  loaded = $state(false);
  text = $state('');
  priority = $state<'' | 'standard' | 'express' | 'urgent'>('');
  delayedOnly = $state(false);
  statuses = new SvelteSet<DeliveryStatus>(DELIVERY_STATUSES.filter((s) => !HIDDEN_BY_DEFAULT.includes(s)));
  private client: LiveClient | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly role: Role) {}

  readonly filtered = $derived.by(() => {
    const q = this.text.trim().toLowerCase();
    return [...this.deliveries.values()]
      .filter((d) => !this.priority || d.priority === this.priority)
      .filter((d) => !this.delayedOnly || d.delayed)
      .filter((d) => !q || [d.trackingCode, d.pickup.address, d.dropoff.address, d.driver?.name ?? '', d.pickup.contactName ?? '', d.dropoff.contactName ?? ''].some((s) => s.toLowerCase().includes(q)))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  });

  readonly columns = $derived(
    DELIVERY_STATUSES.filter((s) => this.statuses.has(s)).map((status) => ({ status, items: this.filtered.filter((d) => d.status === status) })),
  );

  readonly counts = $derived.by(() => {
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const d of this.filtered) counts[d.status] += 1;
    return counts;
  });

  readonly selected = $derived(this.selectedId ? (this.deliveries.get(this.selectedId) ?? null) : null);

  actions(d: Delivery): DeliveryAction[] {
    return availableActions({ status: d.status, customerId: d.customerId, driverId: d.driver?.id, offeredDriverId: d.offer?.driverId }, { kind: this.role });
  }

  async start(): Promise<void> {
    await Promise.all([this.loadDeliveries(), this.loadDrivers()]);
    this.timer = setInterval(() => void this.loadDrivers(), DRIVERS_REFRESH_MS);
    try {
      this.client = connectLive({
        auth: { token: await api.http.token() },
        getToken: () => api.http.token(),
        fetchDelivery: (id) => api.deliveries.get(id),
        onDelivery: (d) => this.upsert(d),
        onLocation: (loc) => {
          const driver = this.drivers.get(loc.driverId);
          if (driver) this.drivers.set(loc.driverId, { ...driver, position: { lat: loc.lat, lng: loc.lng, heading: loc.heading ?? null, at: loc.at } });
        },
        onAlert: (alert) => this.raise(alert),
        onStatus: (status) => {
          const wasDown = this.live === 'disconnected';
          this.live = status;
          // Events missed while down reach only the followed (selected) delivery: reload the board.
          if (status === 'connected' && wasDown) void Promise.all([this.loadDeliveries(), this.loadDrivers()]);
        },
        onRevoked: () => void session.logout(),
      });
    } catch (err) {
      this.error = `Live updates are off: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  stop(): void {
    this.client?.close();
    if (this.timer) clearInterval(this.timer);
  }

  async loadDeliveries(): Promise<void> {
    try {
      const page = await api.deliveries.list({ limit: 200 });
      for (const d of page.items) {
        this.upsert(d);
        if (d.delayed) this.raise({ deliveryId: d.id, kind: 'delayed', message: 'running late against its promised time', at: d.updatedAt });
        if (d.status === 'ATTEMPT_FAILED') this.raise({ deliveryId: d.id, kind: 'attempt_failed', message: `attempt ${d.attempts} failed`, at: d.updatedAt });
      }
      this.loaded = true;
      this.error = '';
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not load deliveries: ${err.summary}` : String(err);
    }
  }

  async loadDrivers(): Promise<void> {
    try {
      for (const d of await api.drivers.list()) this.drivers.set(d.id, d);
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not load drivers: ${err.summary}` : String(err);
    }
  }

  upsert(d: Delivery): void {
    const current = this.deliveries.get(d.id);
    if (current && current.seq > d.seq) return;
    // Keep a timeline already loaded when a live snapshot (which has none) replaces it.
    this.deliveries.set(d.id, current?.timeline && !d.timeline ? { ...d, timeline: current.timeline } : d);
  }

  /** Opens the detail panel with the full timeline, followed live from then on. */
  async select(id: string | null): Promise<void> {
    if (this.selectedId && this.selectedId !== id) this.client?.untrack(this.selectedId);
    this.selectedId = id;
    if (!id) return;
    try {
      const full = await api.deliveries.get(id);
      this.upsert(full);
      this.client?.track(full);
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not open the delivery: ${err.summary}` : String(err);
    }
  }

  raise(alert: AlertEvent): void {
    const key = `${alert.deliveryId}:${alert.kind}:${alert.at}`;
    if (this.alerts.some((a) => a.key === key || (a.deliveryId === alert.deliveryId && a.kind === alert.kind))) return;
    this.alerts = [{ ...alert, key }, ...this.alerts].slice(0, 50);
  }

  dismiss(key: string): void {
    this.alerts = this.alerts.filter((a) => a.key !== key);
  }

  async assign(id: string, driverId: string): Promise<void> {
    this.upsert(await api.deliveries.assign(id, driverId));
    void this.loadDrivers();
  }

  async cancel(id: string, reason: string): Promise<void> {
    this.upsert(await api.deliveries.cancel(id, reason));
  }
}
