/** The dispatcher's live picture: every delivery by status, the drivers, the alerts, the one selected. */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { Delivery } from '../../../domain/delivery.js';
import { severityRank, type AlertRecord } from '../../../domain/alerts.js';
import { availableActions, DELIVERY_STATUSES, type DeliveryAction, type DeliveryStatus, type Role } from '../../../domain/status.js';
import { api, ApiError, type DriverSummary } from '../lib/api.js';
import type { LiveClient } from '../lib/live-client.js';
import { connectSignedIn } from './live.js';

const HIDDEN_BY_DEFAULT: DeliveryStatus[] = ['RETURNED', 'CANCELLED', 'EXPIRED'];
const DRIVERS_REFRESH_MS = 30_000;

/** Windows a dispatcher filters by: the pickup window's day, or whether one was booked at all. */
export type WindowFilter = '' | 'today' | 'tomorrow' | 'later' | 'none';

function dayOffset(iso: string, now: Date): number {
  const day = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((day(new Date(iso)) - day(now)) / 86_400_000);
}

// eslint-disable-next-line svelte/prefer-svelte-reactivity -- the moment of one comparison, never state
export function matchesWindow(d: Delivery, filter: WindowFilter, now = new Date()): boolean {
  if (!filter) return true;
  const w = d.pickupWindow ?? d.dropoffWindow;
  if (filter === 'none') return !w;
  if (!w) return false;
  const offset = dayOffset(w.from, now);
  return filter === 'today' ? offset <= 0 : filter === 'tomorrow' ? offset === 1 : offset > 1;
}

export class DispatchBoard {
  deliveries = new SvelteMap<string, Delivery>();
  drivers = new SvelteMap<string, DriverSummary>();
  /** Open alerts of the read model: most urgent, then newest, first. */
  alerts = $state.raw<AlertRecord[]>([]);
  window = $state<WindowFilter>('');
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
      .filter((d) => matchesWindow(d, this.window))
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
    await Promise.all([this.loadDeliveries(), this.loadDrivers(), this.loadAlerts()]);
    this.timer = setInterval(() => void this.loadDrivers(), DRIVERS_REFRESH_MS);
    try {
      this.client = await connectSignedIn({
        onDelivery: (d) => this.upsert(d),
        onLocation: (loc) => {
          const driver = this.drivers.get(loc.driverId);
          if (driver) this.drivers.set(loc.driverId, { ...driver, position: { lat: loc.lat, lng: loc.lng, heading: loc.heading ?? null, at: loc.at } });
        },
        onAlertUpdated: (alert) => this.applyAlert(alert),
        onStatus: (status) => {
          const wasDown = this.live === 'disconnected';
          this.live = status;
          // Events missed while down reach only the followed (selected) delivery: reload the board.
          if (status === 'connected' && wasDown) void Promise.all([this.loadDeliveries(), this.loadDrivers(), this.loadAlerts()]);
        },
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
      for (const d of page.items) this.upsert(d);
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

  async loadAlerts(): Promise<void> {
    try {
      this.alerts = sortAlerts(await api.alerts.list('open'));
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not load alerts: ${err.summary}` : String(err);
    }
  }

  /** An alert as it is now: open ones stay on the board, acknowledged and resolved ones leave it. */
  applyAlert(alert: AlertRecord): void {
    const others = this.alerts.filter((a) => a.id !== alert.id);
    this.alerts = sortAlerts(alert.state === 'open' ? [alert, ...others] : others);
  }

  /** Dismissing is acknowledging: the board of every dispatcher drops it, and who did it is kept. */
  async acknowledge(id: string): Promise<void> {
    try {
      this.applyAlert(await api.alerts.acknowledge(id));
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not acknowledge: ${err.summary}` : String(err);
    }
  }

  async overrideCode(id: string, reason: string): Promise<void> {
    this.upsert(await api.alerts.overrideCode(id, reason));
  }

  async assign(id: string, driverId: string): Promise<void> {
    this.upsert(await api.deliveries.assign(id, driverId));
    void this.loadDrivers();
  }

  async cancel(id: string, reason: string): Promise<void> {
    this.upsert(await api.deliveries.cancel(id, reason));
  }
}

function sortAlerts(alerts: AlertRecord[]): AlertRecord[] {
  return [...alerts].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.raisedAt.localeCompare(a.raisedAt));
}
