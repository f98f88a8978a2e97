/** A customer's deliveries: quotes to accept, live statuses, and cancelling before pickup. */
import { SvelteMap } from 'svelte/reactivity';
import type { Delivery } from '../../../domain/delivery.js';
import type { CreateDeliveryBody } from '../../../domain/schemas.js';
import { availableActions, type DeliveryAction } from '../../../domain/status.js';
import { api, ApiError, type SessionUser } from '../lib/api.js';
import type { LiveClient } from '../lib/live-client.js';
import { connectSignedIn } from './live.js';

export class CustomerDesk {
  deliveries = new SvelteMap<string, Delivery>();
  /** The quote just requested, shown until accepted or dropped. */
  quoteId = $state<string | null>(null);
  /** The organisation this page books in and shows, or null for the person's own account. */
  readonly organizationId = api.http.organizationId;
  error = $state('');
  loaded = $state(false);
  private client: LiveClient | null = null;

  constructor(private readonly user: SessionUser) {}

  readonly list = $derived([...this.deliveries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  readonly quote = $derived(this.quoteId ? (this.deliveries.get(this.quoteId) ?? null) : null);

  /** What the transition table lets this user do with a delivery now. */
  actions(d: Delivery): DeliveryAction[] {
    return availableActions({ status: d.status, customerId: d.customerId, driverId: d.driver?.id }, { kind: this.user.role, userId: this.user.id });
  }

  async start(): Promise<void> {
    try {
      // A dispatcher placing orders sees only the ones placed here; a customer sees all of theirs.
      if (this.user.role === 'customer') for (const d of (await api.deliveries.list({ limit: 50 })).items) this.deliveries.set(d.id, d);
      this.loaded = true;
    } catch (err) {
      this.error = err instanceof ApiError ? `Could not load your deliveries: ${err.summary}` : String(err);
    }
    // In an organisation (picked on its page), every member's bookings arrive here as they are made.
    const organizationId = api.http.organizationId ?? undefined;
    this.client = await connectSignedIn({ organizationId, onDelivery: (d) => this.upsert(d) });
    for (const d of this.deliveries.values()) void this.follow(d);
  }

  stop(): void {
    this.client?.close();
  }

  private async follow(d: Delivery): Promise<void> {
    try {
      const fresh = await this.client?.subscribe(d.id);
      if (fresh) this.upsert(fresh);
    } catch {
      // Not followed live: the list still shows the last snapshot and reloads on the next visit.
    }
  }

  upsert(d: Delivery): void {
    const current = this.deliveries.get(d.id);
    if (current && current.seq > d.seq) return;
    // Live snapshots carry neither the timeline nor the delivery code: keep what was loaded.
    const kept = { ...(current?.timeline && !d.timeline ? { timeline: current.timeline } : {}), ...(current?.deliveryCode && !d.deliveryCode ? { deliveryCode: current.deliveryCode } : {}) };
    this.deliveries.set(d.id, { ...d, ...kept });
  }

  async requestQuote(body: CreateDeliveryBody): Promise<Delivery> {
    const d = await api.deliveries.create(body);
    this.upsert(d);
    this.quoteId = d.id;
    void this.follow(d);
    return d;
  }

  async accept(id: string): Promise<void> {
    this.upsert(await api.deliveries.acceptQuote(id));
  }

  async cancel(id: string, reason: string): Promise<void> {
    this.upsert(await api.deliveries.cancel(id, reason));
    if (this.quoteId === id) this.quoteId = null;
  }
}
