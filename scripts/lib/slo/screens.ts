/**
 * The live screens of the load: dispatcher boards and customers' tracking pages, connected over Socket.IO
 * through nginx with the pages' own live client (which refetches after a gap or a reconnect). Each
 * screen also notes every raw event it received, so a missed event is counted even when the page's
 * refetch hid it from the person watching.
 */
import type { Delivery, TrackingView } from '../../../domain/delivery.js';
import { connectLive, type LiveClient } from '../../../web/src/lib/live-client.js';
import type { Actor } from './actors.js';
import type { Caller } from './http.js';

export interface ScreenEvent {
  deliveryId: string;
  seq: number;
  receivedAt: number;
}

export class DispatcherBoard {
  /** What the board shows now, per delivery. */
  readonly shown = new Map<string, Delivery>();
  /** Raw `delivery:updated` events, in arrival order. */
  readonly events: ScreenEvent[] = [];
  private live: LiveClient | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly actor: Actor) {}

  open(): void {
    this.live = connectLive({
      url: this.actor.caller.baseUrl,
      auth: { token: this.actor.token },
      getToken: async () => {
        await this.actor.login().catch(() => undefined);
        return this.actor.token;
      },
      transports: ['websocket'],
      fetchDelivery: async (id) => {
        const res = await this.actor.call<Delivery>('GET', `/api/v1/deliveries/${id}`);
        if (res.status !== 200) throw new Error(`refetch of ${id}: ${res.status}`);
        return res.body;
      },
      onDelivery: (d) => this.shown.set(d.id, d),
    });
    this.live.socket.on('delivery:updated', (d: Delivery) => this.events.push({ deliveryId: d.id, seq: d.seq, receivedAt: Date.now() }));
    // The board's list, as the page reloads it.
    this.timer = setInterval(() => void this.actor.call('GET', '/api/v1/deliveries?limit=50'), 5000);
  }

  follow(delivery: Delivery): void {
    this.live?.track(delivery);
  }

  get connected(): boolean {
    return this.live?.connected ?? false;
  }

  close(): void {
    clearInterval(this.timer);
    this.live?.close();
  }
}

export class TrackingPage {
  view: TrackingView | undefined;
  readonly events: ScreenEvent[] = [];
  private live: LiveClient | undefined;

  constructor(
    private readonly caller: Caller,
    readonly deliveryId: string,
    readonly trackingCode: string,
  ) {}

  open(): void {
    const fetchTracking = async () => {
      const res = await this.caller.call<TrackingView>('GET', `/api/v1/track/${this.trackingCode}`);
      if (res.status !== 200) throw new Error(`tracking ${this.trackingCode}: ${res.status}`);
      return res.body;
    };
    this.live = connectLive({
      url: this.caller.baseUrl,
      auth: { trackingCode: this.trackingCode },
      transports: ['websocket'],
      fetchTracking,
      onTracking: (view) => (this.view = view),
    });
    this.live.socket.on('tracking:updated', (view: TrackingView) => this.events.push({ deliveryId: this.deliveryId, seq: view.seq, receivedAt: Date.now() }));
    void fetchTracking().then((view) => {
      this.view ??= view;
      this.live?.trackView(view);
    }, () => undefined);
  }

  close(): void {
    this.live?.close();
  }
}
