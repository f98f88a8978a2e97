/**
 * Public tracking views remembered for a moment (TRACKING_CACHE_MS). The tracking page is the most read
 * route, and one code is read again and again by everyone who has its link. Every committed change
 * announces its tracking code (`trackingChangedChannel`), and each API instance drops that view when it
 * hears it; a change this instance sent is dropped before its caller gets the answer, so they read their
 * own write. What no announcement covers, a driver's latest position (itself saved in half-second
 * batches) or a lost announcement, shows within the time to live.
 */
import { isTrackingCode, type TrackingStore } from '../../db/tracking.js';
import type { TrackingView } from '../../domain/delivery.js';
import type { Evictions } from '../evictions.js';
import { ShortLivedCache } from '../short-lived-cache.js';

/** How many views are remembered; the oldest goes first. */
const TRACKING_VIEWS_KEPT = 10_000;

export class TrackingReads {
  /** The view as the response body (JSON), or null for a code no delivery has. */
  private readonly cache: ShortLivedCache<string | null>;

  constructor(
    private readonly store: TrackingStore,
    ttlMs: number,
    max = TRACKING_VIEWS_KEPT,
  ) {
    this.cache = new ShortLivedCache(ttlMs, max);
  }

  /** The public view of a tracking code (any case) as JSON text; null when there is no such delivery. */
  async json(trackingCode: string): Promise<string | null> {
    const code = trackingCode.toUpperCase();
    if (!isTrackingCode(code)) return null;
    return this.cache.get(code, async () => {
      const found = await this.store.find({ trackingCode: code });
      return found ? JSON.stringify(found.view) : null;
    });
  }

  /** The delivery behind a tracking code and its view, read now (a socket joining its room). */
  find(trackingCode: string): Promise<{ id: string; view: TrackingView } | null> {
    return this.store.find({ trackingCode });
  }

  /** This delivery changed: its next read asks Postgres. */
  changed(trackingCode: string): void {
    this.cache.forget([trackingCode.toUpperCase()]);
  }

  /** Changes announced by other processes. */
  listener(): Evictions {
    return this.cache.evictions((code) => code.toUpperCase());
  }
}
