/** A signed-in user of the simulated load: logs in again when the access token has expired. */
import type { Answer, Caller } from './http.js';

export interface SignedInUser {
  id: string;
  role: string;
  driverId?: string;
}

export class Actor {
  token = '';
  user: SignedInUser | undefined;

  constructor(
    readonly caller: Caller,
    readonly email: string,
    private readonly password: string,
  ) {}

  async login(): Promise<void> {
    const res = await this.caller.call<{ accessToken: string; user: SignedInUser }>('POST', '/api/v1/auth/login', { body: { email: this.email, password: this.password } });
    if (res.status !== 200) throw new Error(`login of ${this.email}: ${res.status} ${JSON.stringify(res.body)}`);
    this.token = res.body.accessToken;
    this.user = res.body.user;
  }

  async call<T = unknown>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const res = await this.caller.call<T>(method, path, { ...options, token: this.token });
    if (res.status !== 401) return res;
    await this.login().catch(() => undefined);
    return this.caller.call<T>(method, path, { ...options, token: this.token });
  }

  /**
   * A state-changing request as a phone sends it: one Idempotency-Key for every try, tried again after
   * a failure (5xx, no answer, or 429 asking it to slow down) until it is answered or `forMs` has passed.
   */
  async send<T = unknown>(method: string, path: string, body: unknown, key: string, forMs = 180_000): Promise<Answer<T>> {
    const deadline = Date.now() + forMs;
    for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
      const res = await this.call<T>(method, path, { body, headers: { 'Idempotency-Key': key } });
      if ((res.status > 0 && res.status < 500 && res.status !== 429) || Date.now() > deadline) return res;
      await sleep(wait);
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
