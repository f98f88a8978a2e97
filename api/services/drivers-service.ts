/** Drivers: the roster for dispatchers, accounts for new drivers, duty and live location. */
import type { LivePublisher } from '../../adapters/live-publisher.js';
import type { DriverStore } from '../../db/drivers.js';
import type { DriverSummary } from '../../domain/drivers.js';
import type { LocationPing } from '../../domain/schemas.js';
import type { AuthService } from '../auth/auth-service.js';
import { NotFoundError } from '../errors.js';
import type { Evictions } from '../evictions.js';
import { ShortLivedCache } from '../short-lived-cache.js';
import type { LocationBuffer } from './location-buffer.js';

export interface NewDriver {
  name: string;
  email: string;
  password: string;
  vehicle: { type: string; capacityKg: number };
}

/**
 * How long an instance remembers a driver's open deliveries. Every change to them is announced
 * (`driverDeliveriesChangedChannel`) and drops the list at once, so this only bounds a lost announcement.
 */
export const OPEN_DELIVERIES_TTL_MS = 30_000;

export class DriversService {
  /** The deliveries each driver holds, whose rooms their pings go to: pings come far more often than these change. */
  private readonly openDeliveries = new ShortLivedCache<string[]>(OPEN_DELIVERIES_TTL_MS, 10_000);

  constructor(
    private readonly deps: { store: DriverStore; auth: AuthService; live?: LivePublisher; locations: LocationBuffer },
  ) {}

  async list(): Promise<DriverSummary[]> {
    const rows = await this.deps.store.listWithLoad();
    return rows.map((r) => ({
      id: r.id,
      userId: r.userId,
      name: r.name,
      vehicle: { type: r.vehicleType, capacityKg: Number(r.capacityKg) },
      onDuty: r.onDuty,
      position: r.lat !== null && r.lng !== null && r.locationAt
        ? { lat: r.lat, lng: r.lng, heading: r.heading, at: new Date(r.locationAt).toISOString() }
        : null,
      load: { activeDeliveries: r.activeDeliveries, weightKg: r.activeLoadKg },
    }));
  }

  /** The account and its driver profile together, or neither. */
  async create(input: NewDriver) {
    const profile = { name: input.name, vehicleType: input.vehicle.type, capacityKg: input.vehicle.capacityKg };
    const account = await this.deps.auth.createUser({ email: input.email, password: input.password, name: input.name, role: 'driver' }, profile);
    return { id: account.driverId!, userId: account.id, name: input.name, email: account.email, vehicle: input.vehicle, onDuty: false };
  }

  async setDuty(driverId: string, onDuty: boolean) {
    if (!(await this.deps.store.setDuty(driverId, onDuty))) throw new NotFoundError('driver');
    return { driverId, onDuty };
  }

  /** Broadcast at once; persisted by the buffer in batches. */
  async recordLocation(driverId: string, pings: LocationPing[]): Promise<{ accepted: number }> {
    const latest = pings.length === 1 ? pings[0]! : pings.reduce((a, b) => (Date.parse(b.recordedAt) > Date.parse(a.recordedAt) ? b : a));
    this.deps.locations.add(driverId, pings);
    // Remembered nearly always (pings come far more often than the list changes): no lookup to wait for.
    const deliveryIds = this.openDeliveries.peek(driverId) ?? (await this.activeDeliveryIds(driverId));
    await this.deps.live?.publishDriverLocation(
      { driverId, lat: latest.lat, lng: latest.lng, heading: latest.heading, at: latest.recordedAt },
      deliveryIds,
    );
    return { accepted: pings.length };
  }

  /** Changes to drivers' open deliveries announced by the workflows (the message is the driver's id). */
  openDeliveriesListener(): Evictions {
    return this.openDeliveries.evictions();
  }

  private activeDeliveryIds(driverId: string): Promise<string[]> {
    return this.openDeliveries.get(driverId, () => this.deps.store.heldDeliveryIds(driverId));
  }
}
