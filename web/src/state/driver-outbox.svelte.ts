/**
 * The driver's taps on their way to the server: written to IndexedDB first, sent in order, replayed
 * with the same Idempotency-Key until the server answers, so a tap is applied exactly once.
 */
import type { Delivery } from '../../../domain/delivery.js';
import type { MilestoneBody } from '../../../domain/schemas.js';
import { checkTransition, MILESTONE_ACTIONS, TRANSITIONS, type MilestoneType } from '../../../domain/status.js';
import { api, ApiError, newIdempotencyKey } from '../lib/api.js';
import { MILESTONE_LABELS } from '../lib/format.js';
import { openOutbox, type OutboxStore, type QueuedMilestone } from '../lib/outbox.js';

export interface Refusal {
  key: string;
  label: string;
  message: string;
}

export class MilestoneOutbox {
  // Raw: items are replaced, never mutated, and go to IndexedDB as they are.
  items = $state.raw<QueuedMilestone[]>([]);
  refusals = $state.raw<Refusal[]>([]);
  syncing = $state(false);
  private store: OutboxStore | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private lastQueuedAt = 0;

  constructor(
    private readonly driver: { id: string; name: string },
    private readonly onApplied: (delivery: Delivery) => void,
  ) {}

  async open(): Promise<void> {
    this.store = await openOutbox(this.driver.id);
    this.items = await this.store.all();
  }

  /** Records the tap at once (with the time it was made) and tries to send it. */
  async tap(deliveryId: string, type: MilestoneType, extras: Omit<MilestoneBody, 'type' | 'at'> = {}): Promise<void> {
    // Strictly increasing times keep two quick taps in the order they were made.
    const at = Math.max(Date.now(), this.lastQueuedAt + 1);
    this.lastQueuedAt = at;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once for its ISO string
    const queuedAt = new Date(at).toISOString();
    const item: QueuedMilestone = {
      key: newIdempotencyKey(),
      deliveryId,
      body: { type, at: queuedAt, ...extras },
      queuedAt,
      attempts: 0,
    };
    await this.store?.put(item);
    this.items = [...this.items, item];
    await this.flush();
  }

  /** Sends what is waiting, oldest first; stops at the first tap the network could not deliver. */
  flush(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      this.syncing = true;
      try {
        do {
          this.again = false;
          await this.sendAll();
        } while (this.again);
      } finally {
        this.syncing = false;
        this.running = null;
      }
    })();
    return this.running;
  }

  private async sendAll(): Promise<void> {
    for (const item of [...this.items]) {
      try {
        const delivery = await api.deliveries.milestone(item.deliveryId, item.body, item.key);
        await this.remove(item.key);
        this.onApplied(delivery);
      } catch (err) {
        const refused = err instanceof ApiError && !err.retryable && err.status !== 401;
        if (refused) {
          // The server said no for good (the job was reassigned, cancelled, already moved on): drop it and say why.
          await this.remove(item.key);
          this.refusals = [...this.refusals, { key: item.key, label: MILESTONE_LABELS[item.body.type], message: (err as ApiError).summary }];
          continue;
        }
        const updated = { ...item, attempts: item.attempts + 1, lastError: err instanceof ApiError ? err.message : String(err) };
        this.items = this.items.map((i) => (i.key === item.key ? updated : i));
        await this.store?.put(updated);
        return;
      }
    }
  }

  private async remove(key: string): Promise<void> {
    await this.store?.delete(key);
    this.items = this.items.filter((i) => i.key !== key);
  }

  dismiss(key: string): void {
    this.refusals = this.refusals.filter((r) => r.key !== key);
  }

  pendingFor(deliveryId: string): QueuedMilestone[] {
    return this.items.filter((i) => i.deliveryId === deliveryId);
  }

  /**
   * The delivery as it will be once the waiting taps land, by the domain's transition table, so the
   * driver can keep working offline. Taps the table would refuse are left out.
   */
  project(delivery: Delivery): Delivery {
    let d = delivery;
    const actor = { kind: 'driver' as const, driverId: this.driver.id };
    for (const item of this.pendingFor(delivery.id)) {
      const action = MILESTONE_ACTIONS[item.body.type];
      const subject = { status: d.status, customerId: d.customerId, driverId: d.driver?.id, offeredDriverId: d.offer?.driverId };
      if (checkTransition(subject, action, actor) !== null) continue;
      d = { ...d, status: TRANSITIONS[action].to ?? d.status };
      if (action === 'acceptOffer') d = { ...d, driver: { id: this.driver.id, name: this.driver.name }, offer: null };
      if (action === 'declineOffer') d = { ...d, offer: null };
    }
    return d;
  }
}
