/**
 * A circuit breaker for one outside provider. Small on purpose: closed until `failureThreshold`
 * failures in a row, then open for `cooldownMs`, then one trial request (half-open) whose outcome
 * closes or re-opens it. Libraries such as opossum also own the timeout and a rolling statistics
 * window; here the HTTP call owns its timeout, and consecutive failures are the rule operators read.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export class BreakerOpenError extends Error {
  readonly code = 'PROVIDER_UNAVAILABLE';
  constructor(readonly provider: string, readonly retryInMs: number) {
    super(`${provider} is not being called for ${Math.ceil(retryInMs / 1000)} s after repeated failures`);
    this.name = 'BreakerOpenError';
  }
}

export interface BreakerOptions {
  name: string;
  failureThreshold?: number;
  cooldownMs?: number;
  now?: () => number;
  onChange?: (state: BreakerState, name: string) => void;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: BreakerState = 'closed';
  private trialRunning = false;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half_open';
    return this.current;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.trialRunning)) {
      throw new BreakerOpenError(this.options.name, Math.max(0, this.cooldownMs - (this.now() - this.openedAt)));
    }
    const trial = state === 'half_open';
    if (trial) this.trialRunning = true;
    try {
      const value = await call();
      this.succeeded();
      return value;
    } catch (err) {
      this.failed(trial);
      throw err;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  private succeeded(): void {
    this.failures = 0;
    this.set('closed');
  }

  private failed(trial: boolean): void {
    this.failures += 1;
    if (trial || this.failures >= this.threshold) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  private set(next: BreakerState): void {
    if (next === this.current) return;
    this.current = next;
    this.options.onChange?.(next, this.options.name);
  }
}
