/**
 * The phone's position sent to dispatch while the driver shares it: a ping when the driver has moved
 * or some time has passed, batched while offline (the API takes up to 500 pings in one request).
 */
import type { LocationPing } from '../../../domain/schemas.js';
import { haversineKm } from '../../../domain/geo.js';
import { api, ApiError } from '../lib/api.js';

const MIN_INTERVAL_MS = 10_000;
const MIN_MOVE_KM = 0.025;
const MAX_BUFFERED = 500;

export class LocationSharing {
  sharing = $state(false);
  fix = $state<{ lat: number; lng: number; accuracy: number; at: string } | null>(null);
  lastSentAt = $state<string | null>(null);
  buffered = $state(0);
  error = $state('');
  private watchId: number | null = null;
  private pending: LocationPing[] = [];
  private lastQueued: LocationPing | null = null;
  private sending = false;

  start(): void {
    if (this.sharing) return;
    if (!('geolocation' in navigator)) {
      this.error = 'This browser cannot share its location.';
      return;
    }
    this.error = '';
    this.sharing = true;
    this.watchId = navigator.geolocation.watchPosition(
      (pos) => this.onFix(pos),
      (err) => {
        this.error = err.code === err.PERMISSION_DENIED ? 'Location permission was refused; allow it in the browser settings.' : `No location: ${err.message}`;
        if (err.code === err.PERMISSION_DENIED) this.stop();
      },
      { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 },
    );
  }

  stop(): void {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
    this.sharing = false;
  }

  private onFix(pos: GeolocationPosition): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once for its ISO string
    const at = new Date(pos.timestamp || Date.now()).toISOString();
    const { latitude: lat, longitude: lng, accuracy, heading, speed } = pos.coords;
    this.fix = { lat, lng, accuracy, at };
    const last = this.lastQueued;
    const due = !last || Date.parse(at) - Date.parse(last.recordedAt) >= MIN_INTERVAL_MS || haversineKm(last, { lat, lng }) >= MIN_MOVE_KM;
    if (!due) return;
    const ping: LocationPing = { lat, lng, recordedAt: at };
    if (heading !== null && Number.isFinite(heading)) ping.heading = heading;
    if (speed !== null && Number.isFinite(speed)) ping.speedKph = Math.min(300, speed * 3.6);
    this.lastQueued = ping;
    this.pending = [...this.pending, ping].slice(-MAX_BUFFERED);
    this.buffered = this.pending.length;
    void this.flush();
  }

  /** Sends the buffered pings in one request; on a network failure they wait for the next try. */
  async flush(): Promise<void> {
    if (this.sending || this.pending.length === 0) return;
    this.sending = true;
    const batch = this.pending;
    this.pending = [];
    try {
      await api.drivers.sendLocation(batch);
      this.lastSentAt = batch[batch.length - 1]!.recordedAt;
      this.error = '';
    } catch (err) {
      if (err instanceof ApiError && err.retryable) this.pending = [...batch, ...this.pending].slice(-MAX_BUFFERED);
      else this.error = err instanceof ApiError ? `Location not accepted: ${err.summary}` : String(err);
    } finally {
      this.sending = false;
      this.buffered = this.pending.length;
    }
  }
}
