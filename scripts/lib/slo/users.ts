/**
 * The simulated users: customers booking, drivers answering offers, driving with a location ping every
 * few seconds and tapping each milestone. Every booking is remembered with the key it was sent under,
 * so the end-of-run checks can tell a lost or a duplicated delivery.
 */
import { randomUUID } from 'node:crypto';
import type { Delivery } from '../../../domain/delivery.js';
import { interpolate, type LatLng } from '../../../domain/geo.js';
import { sleep, type Actor } from './actors.js';

/** Away from the demo data's city, so the seeded drivers never get an offer of the load's. */
export const LOAD_AREA: LatLng = { lat: 48.137, lng: 11.575 };
const SIGNATURE = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7]).toString('base64')}`;
const WORKING = ['ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF'];
const TERMINAL = ['DELIVERED', 'RETURNED', 'CANCELLED', 'EXPIRED'];

export interface Booking {
  key: string;
  customer: string;
  sentAt: number;
  /** Set once the API answered 201. */
  id?: string;
  trackingCode?: string;
  /** The final status a driver saw, when it was terminal. */
  settled?: string;
}

export interface LoadShape {
  customers: number;
  drivers: number;
  /** Each customer's open deliveries at most. */
  openPerCustomer: number;
  bookEveryMs: number;
  pingEveryMs: number;
  /** Pings on each leg (to the pickup, to the door). */
  pingsPerLeg: number;
}

const jitter = (spread: number) => (Math.random() - 0.5) * 2 * spread;
const near = (): LatLng => ({ lat: LOAD_AREA.lat + jitter(0.02), lng: LOAD_AREA.lng + jitter(0.03) });

export class CustomerSim {
  private open = new Set<Booking>();

  constructor(
    readonly actor: Actor,
    private readonly shape: LoadShape,
    private readonly bookings: Booking[],
    private readonly onBooked: (booking: Booking) => void,
  ) {}

  async run(running: () => boolean): Promise<void> {
    while (running()) {
      for (const b of this.open) if (b.settled) this.open.delete(b);
      if (this.open.size < this.shape.openPerCustomer) void this.book();
      await sleep(this.shape.bookEveryMs * (0.5 + Math.random()));
    }
  }

  private async book(): Promise<void> {
    const pickup = near();
    const dropoff = near();
    const booking: Booking = { key: `slo-${randomUUID()}`, customer: this.actor.email, sentAt: Date.now() };
    this.bookings.push(booking);
    this.open.add(booking);
    const body = {
      pickup: { address: 'Marienplatz 1, München', ...pickup, contactName: 'Pat Baker', contactPhone: '+49 89 1234567' },
      dropoff: { address: 'Leopoldstraße 12, München', ...dropoff, contactName: 'Maria Lopez' },
      parcel: { weightKg: Math.round((0.5 + Math.random() * 15) * 10) / 10, description: 'parcel' },
      priority: Math.random() < 0.7 ? 'standard' : 'express',
      autoAccept: true,
    };
    const res = await this.actor.send<Delivery>('POST', '/api/v1/deliveries', body, booking.key);
    if (res.status !== 201) {
      booking.settled = `refused ${res.status}`;
      return;
    }
    booking.id = res.body.id;
    booking.trackingCode = res.body.trackingCode;
    this.onBooked(booking);
  }
}

const NEXT_TAP: Record<string, string> = { ASSIGNED: 'arrived_pickup', AT_PICKUP: 'picked_up', IN_TRANSIT: 'arrived_dropoff', AT_DROPOFF: 'delivered' };

export class DriverSim {
  position = near();
  private busy = false;

  constructor(
    readonly actor: Actor,
    private readonly shape: LoadShape,
    private readonly bookings: Map<string, Booking>,
  ) {}

  get driverId(): string | undefined {
    return this.actor.user?.driverId;
  }

  async goOnDuty(): Promise<void> {
    await this.actor.send('PUT', '/api/v1/drivers/me/duty', { onDuty: true }, `duty-${randomUUID()}`);
    await this.ping(this.position);
  }

  async run(running: () => boolean): Promise<void> {
    let lastPing = Date.now();
    const answered = new Set<string>();
    while (running() || this.busy) {
      const page = await this.actor.call<{ items: Delivery[] }>('GET', `/api/v1/deliveries?status=DISPATCHING,${WORKING.join(',')}&limit=20`);
      if (page.status === 200) {
        const offer = page.body.items.find((d) => d.status === 'DISPATCHING' && d.offer?.driverId === this.driverId && !answered.has(`${d.id}@${d.offer?.expiresAt}`));
        const job = page.body.items.find((d) => WORKING.includes(d.status) && d.driver?.id === this.driverId);
        if (offer && !this.busy) {
          answered.add(`${offer.id}@${offer.offer?.expiresAt}`);
          await this.actor.send('POST', `/api/v1/deliveries/${offer.id}/milestones`, { type: 'accept_offer' }, `${offer.id}-accept-${offer.offer?.expiresAt}`);
        }
        if (job && !this.busy) void this.work(job);
      }
      if (!this.busy && Date.now() - lastPing > 10_000) {
        await this.ping(this.position);
        lastPing = Date.now();
      }
      await sleep(2500);
    }
  }

  private async work(start: Delivery): Promise<void> {
    this.busy = true;
    try {
      let delivery: Delivery | undefined = start;
      while (delivery && WORKING.includes(delivery.status)) {
        const tap = NEXT_TAP[delivery.status]!;
        if (tap === 'arrived_pickup') await this.drive(delivery.pickup);
        else if (tap === 'arrived_dropoff') await this.drive(delivery.dropoff);
        else await sleep(2000);
        delivery = await this.tap(delivery, tap);
      }
      const booking = delivery && this.bookings.get(delivery.id);
      if (booking && delivery && TERMINAL.includes(delivery.status)) booking.settled = delivery.status;
    } finally {
      this.busy = false;
    }
  }

  /** The tap, sent until answered; on a refusal the delivery as it stands now decides the next step. */
  private async tap(d: Delivery, type: string): Promise<Delivery | undefined> {
    const proof = type === 'picked_up' ? { recipientName: 'Pat Baker' } : type === 'delivered' ? { recipientName: 'Maria Lopez', signature: SIGNATURE } : undefined;
    const location = type.startsWith('arrived') ? { location: this.position } : {};
    const res = await this.actor.send<Delivery>('POST', `/api/v1/deliveries/${d.id}/milestones`, { type, ...location, ...(proof ? { proof } : {}) }, `${d.id}-${type}`);
    if (res.status === 200) return res.body;
    const now = await this.actor.call<Delivery>('GET', `/api/v1/deliveries/${d.id}`);
    return now.status === 200 && now.body.driver?.id === this.driverId ? now.body : undefined;
  }

  private async drive(to: LatLng): Promise<void> {
    const from = this.position;
    for (let i = 1; i <= this.shape.pingsPerLeg; i++) {
      await sleep(this.shape.pingEveryMs);
      this.position = interpolate(from, to, i / this.shape.pingsPerLeg);
      await this.ping(this.position);
    }
  }

  private async ping(at: LatLng): Promise<void> {
    await this.actor.call('POST', '/api/v1/drivers/me/location', { body: { lat: at.lat, lng: at.lng, speedKph: 30, recordedAt: new Date().toISOString() } });
  }
}
