/**
 * Live demo traffic through the public API: the five demo drivers go on duty, accept offers, drive
 * their routes with location pings and tap each milestone; the demo customer keeps ordering.
 * `npm start -- --simulate` runs it; alone: `npx tsx scripts/simulate.ts [--order-every <seconds>]`.
 */
import { loadConfig } from '../config/env.js';
import type { Delivery } from '../domain/delivery.js';
import { haversineKm, interpolate, type LatLng } from '../domain/geo.js';
import { DEMO_CITY } from '../db/seed.js';
import { ApiError, SimClient } from './lib/sim-client.js';

const config = loadConfig();
const baseUrl = `http://127.0.0.1:${config.PORT}`;
const everyArg = process.argv.indexOf('--order-every');
const ORDER_EVERY_MS = (everyArg > 0 ? Number(process.argv[everyArg + 1]) : 6) * 1000;
if (!Number.isFinite(ORDER_EVERY_MS) || ORDER_EVERY_MS < 500) throw new Error('--order-every takes a number of seconds ≥ 0.5');
/** Five drivers clear about this many open orders; more would only pile up in DISPATCHING. */
const MAX_OPEN_ORDERS = 8;
/** A blank PNG standing in for the signature a recipient draws on the driver's phone. */
const SIMULATED_SIGNATURE = `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]).toString('base64')}`;
const WORKING = ['ASSIGNED', 'AT_PICKUP', 'IN_TRANSIT', 'AT_DROPOFF'];
const OPEN = ['QUOTED', 'DISPATCHING', ...WORKING];
const STREETS = ['Torstraße', 'Oranienstraße', 'Kastanienallee', 'Friedrichstraße', 'Bergmannstraße', 'Skalitzer Straße', 'Kantstraße', 'Sonnenallee', 'Invalidenstraße', 'Warschauer Straße'];
const NAMES = ['Mila Novak', 'Jonas Weber', 'Aylin Demir', 'Lukas Braun', 'Sofia Rossi', 'Noah Schmidt', 'Emma Fischer', 'Yusuf Kaya'];
const PARCELS = ['documents', 'flowers', 'laptop', 'groceries', '2 boxes', 'spare parts', 'cake', 'shoes'];

let running = true;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const jitter = (spread: number) => (Math.random() - 0.5) * 2 * spread;
const say = (who: string, what: string) => console.log(`${who.padEnd(8)} ${what}`);
const problem = (error: unknown) => (error instanceof ApiError ? `${error.status} ${(error.body as { code?: string })?.code ?? ''}` : String(error));

function heading(from: LatLng, to: LatLng): number {
  const deg = (Math.atan2(to.lng - from.lng, to.lat - from.lat) * 180) / Math.PI;
  return Math.round((deg + 360) % 360);
}

class SimulatedDriver {
  private position: LatLng = { lat: DEMO_CITY.lat + jitter(0.03), lng: DEMO_CITY.lng + jitter(0.04) };
  private busy = false;
  private readonly client: SimClient;

  constructor(private readonly label: string) {
    this.client = new SimClient(baseUrl, `${label}@example.com`, config.DEMO_PASSWORD);
  }

  async start(): Promise<void> {
    await this.client.login();
    await this.client.call('PUT', '/api/v1/drivers/me/duty', { onDuty: true });
    await this.ping(this.position, 0);
    say(this.label, 'on duty');
    void this.loop();
  }

  private get driverId() {
    return this.client.user?.driverId;
  }

  private async loop(): Promise<void> {
    let lastPing = Date.now();
    while (running) {
      try {
        const page = await this.client.call<{ items: Delivery[] }>('GET', `/api/v1/deliveries?status=DISPATCHING,${WORKING.join(',')}&limit=20`);
        const offer = page.items.find((d) => d.status === 'DISPATCHING' && d.offer?.driverId === this.driverId);
        const job = page.items.find((d) => WORKING.includes(d.status) && d.driver?.id === this.driverId);
        if (offer) await this.answerOffer(offer);
        if (job && !this.busy) void this.work(job);
        // Idle drivers still report in, so dispatch sees a fresh position.
        if (!this.busy && Date.now() - lastPing > 20_000) {
          await this.ping(this.position, 0);
          lastPing = Date.now();
        }
      } catch (error) {
        say(this.label, `! ${problem(error)}`);
      }
      await sleep(1500);
    }
  }

  private async answerOffer(offer: Delivery): Promise<void> {
    await sleep(800 + Math.random() * 2000);
    const decline = this.busy || Math.random() < 0.1;
    const body = decline ? { type: 'decline_offer', reason: this.busy ? 'on another delivery' : 'too far' } : { type: 'accept_offer' };
    try {
      await this.client.call('POST', `/api/v1/deliveries/${offer.id}/milestones`, body);
      say(this.label, `${decline ? 'declined' : 'accepted'} ${offer.trackingCode}`);
    } catch (error) {
      say(this.label, `offer ${offer.trackingCode}: ${problem(error)}`);
    }
  }

  private async work(start: Delivery): Promise<void> {
    this.busy = true;
    let delivery = start;
    try {
      while (running && WORKING.includes(delivery.status) && delivery.driver?.id === this.driverId) {
        delivery = await this.step(delivery);
      }
    } catch (error) {
      say(this.label, `${start.trackingCode}: ${problem(error)}`);
    } finally {
      this.busy = false;
    }
  }

  private async step(d: Delivery): Promise<Delivery> {
    switch (d.status) {
      case 'ASSIGNED':
        await this.drive(d.pickup);
        return this.milestone(d, { type: 'arrived_pickup', location: this.position });
      case 'AT_PICKUP':
        await sleep(2000);
        return this.milestone(d, { type: 'picked_up', proof: { recipientName: d.pickup.contactName ?? 'Front desk' } });
      case 'IN_TRANSIT':
        await this.drive(d.dropoff);
        return this.milestone(d, { type: 'arrived_dropoff', location: this.position });
      default:
        await sleep(2000);
        // A hand-over needs a signature or photo besides the name (domain/proof-rules.ts).
        return this.milestone(d, { type: 'delivered', proof: { recipientName: d.dropoff.contactName ?? 'Resident', signature: SIMULATED_SIGNATURE } });
    }
  }

  private async milestone(d: Delivery, body: Record<string, unknown>): Promise<Delivery> {
    const next = await this.client.call<Delivery>('POST', `/api/v1/deliveries/${d.id}/milestones`, { ...body, at: new Date().toISOString() });
    say(this.label, `${String(body.type).padEnd(15)} ${d.trackingCode} → ${next.status}`);
    return next;
  }

  /** A few km take 10–40 s of pings, so a whole delivery plays out in about a minute. */
  private async drive(to: LatLng): Promise<void> {
    const from = this.position;
    const km = haversineKm(from, to);
    const steps = Math.min(40, Math.max(8, Math.round(km * 6)));
    for (let i = 1; i <= steps && running; i++) {
      const next = interpolate(from, to, i / steps);
      await this.ping(next, Math.round((km / steps) * 3600));
      this.position = next;
      await sleep(1000);
    }
  }

  private async ping(at: LatLng, speedKph: number): Promise<void> {
    const body = { lat: at.lat, lng: at.lng, heading: heading(this.position, at), speedKph: Math.min(speedKph, 60), recordedAt: new Date().toISOString() };
    await this.client.call('POST', '/api/v1/drivers/me/location', body);
  }
}

function randomStop(): { address: string; lat: number; lng: number; contactName: string } {
  return {
    address: `${pick(STREETS)} ${1 + Math.floor(Math.random() * 120)}, Berlin`,
    lat: DEMO_CITY.lat + jitter(0.03),
    lng: DEMO_CITY.lng + jitter(0.045),
    contactName: pick(NAMES),
  };
}

async function orderStream(): Promise<void> {
  const customer = new SimClient(baseUrl, 'customer@example.com', config.DEMO_PASSWORD);
  await customer.login();
  while (running) {
    try {
      const open = await customer.call<{ items: Delivery[] }>('GET', `/api/v1/deliveries?status=${OPEN.join(',')}&limit=50`);
      if (open.items.length < MAX_OPEN_ORDERS) {
        const body = {
          pickup: randomStop(),
          dropoff: randomStop(),
          parcel: { weightKg: Math.round((0.5 + Math.random() * 15) * 10) / 10, description: pick(PARCELS) },
          priority: Math.random() < 0.7 ? 'standard' : pick(['express', 'urgent']),
          autoAccept: true,
        };
        const created = await customer.call<Delivery>('POST', '/api/v1/deliveries', body);
        say('customer', `ordered ${created.trackingCode} (${(created.quote.amountCents / 100).toFixed(2)} ${created.quote.currency}, ${created.quote.distanceKm} km)`);
      }
    } catch (error) {
      say('customer', `! ${problem(error)}`);
    }
    await sleep(ORDER_EVERY_MS);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    running = false;
    say('sim', 'stopping');
    setTimeout(() => process.exit(0), 200).unref();
  });
}

for (const label of ['driver1', 'driver2', 'driver3', 'driver4', 'driver5']) await new SimulatedDriver(label).start();
say('sim', `5 drivers on duty; a new order every ${ORDER_EVERY_MS / 1000} s while fewer than ${MAX_OPEN_ORDERS} are open`);
await orderStream();
