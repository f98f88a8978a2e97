/**
 * Answers remembered for a few seconds, for reads many requests repeat (a signed-in client's session, a
 * tracking page's view). Requests that arrive together share one lookup. An eviction forgets at once,
 * and a lookup that overlapped one is not remembered: it may have read what was just changed. The time
 * to live bounds how long a change can go unseen when its eviction never arrives.
 */
import type { Evictions } from './evictions.js';

export class ShortLivedCache<V> {
  private readonly known = new Map<string, { value: V; until: number }>();
  private readonly inFlight = new Map<string, Promise<V>>();
  /** Bumped by every eviction; a lookup started under an older one is answered but not kept. */
  private generation = 0;

  /**
   * @param ttlMs counted from the lookup's start; 0 looks up every time.
   * @param max entries kept; the oldest goes first.
   * @param keep which answers are worth remembering (say, only live sessions).
   */
  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly keep: (value: V) => boolean = () => true,
  ) {}

  async get(key: string, lookup: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return lookup();
    const known = this.known.get(key);
    if (known && Date.now() < known.until) return known.value;
    let pending = this.inFlight.get(key);
    if (!pending) {
      const started = this.remember(key, lookup).finally(() => {
        if (this.inFlight.get(key) === started) this.inFlight.delete(key);
      });
      this.inFlight.set(key, started);
      pending = started;
    }
    return pending;
  }

  /** The remembered answer for `key` while it is fresh, without a lookup: what `get` answers at once. */
  peek(key: string): V | undefined {
    if (this.ttlMs <= 0) return undefined;
    const known = this.known.get(key);
    return known && Date.now() < known.until ? known.value : undefined;
  }

  /** Forgets these keys, on this process only. */
  forget(keys: Iterable<string>): void {
    this.evicting();
    for (const key of keys) this.known.delete(key);
  }

  /** Forgets every remembered answer the predicate picks. */
  forgetWhere(picked: (value: V) => boolean): void {
    this.evicting();
    for (const [key, entry] of this.known) if (picked(entry.value)) this.known.delete(key);
  }

  /** Forgets everything: after evictions may have been missed (a Redis subscription was down). */
  clear(): void {
    this.evicting();
    this.known.clear();
  }

  /** Announcements that name one key each (`keyOf` maps the message to it), for `listenForEvictions`. */
  evictions(keyOf: (message: string) => string = (message) => message): Evictions {
    return {
      forget: (message) => this.forget([keyOf(message)]),
      forgetAll: () => this.clear(),
    };
  }

  get size(): number {
    return this.known.size;
  }

  private evicting(): void {
    this.generation += 1;
    // Requests from now on start their own lookup rather than join one that may predate the change.
    this.inFlight.clear();
  }

  private async remember(key: string, lookup: () => Promise<V>): Promise<V> {
    const generation = this.generation;
    const started = Date.now();
    const value = await lookup();
    if (generation === this.generation && this.keep(value)) {
      this.known.delete(key);
      if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
      this.known.set(key, { value, until: started + this.ttlMs });
    }
    return value;
  }
}
