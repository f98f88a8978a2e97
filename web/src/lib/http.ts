/**
 * The transport under the typed API client: the access token kept in memory, the refresh token in an
 * httpOnly cookie the server sets (script on the page can never read it), one refresh at a time, a
 * retry after a 401, problem+json turned into ApiError.
 */
import type { Role } from '../../../domain/status.js';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  driverId?: string;
}

/** What login and refresh answer in cookie mode: the refresh token is in the cookie, not here. */
export interface SessionTokens {
  accessToken: string;
  user: SessionUser;
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** An answer the API refused (problem+json), or `status: 0` when the network never answered. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The request may not have reached the server: safe to retry with the same Idempotency-Key. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429 || this.code === 'IDEMPOTENCY_IN_PROGRESS';
  }

  /** One line a person can act on, with the field problems when there are any. */
  get summary(): string {
    if (this.errors.length === 0) return this.message;
    return `${this.message}: ${this.errors.map((e) => `${e.path.replace(/^body\./, '')} ${e.message}`).join('; ')}`;
  }
}

/** Only a flag that a session cookie may exist (no secret), so a page load knows whether to try a refresh. */
const SESSION_KEY = 'lp.session';
/** Asks the auth routes to keep the refresh token in the httpOnly cookie and out of every body. */
const COOKIE_MODE = { 'x-refresh-token-transport': 'cookie' } as const;
const ORGANIZATION_KEY = 'lp.organizationId';

/** How often, and how far apart, a change still pending in its workflow is asked about again. */
const PENDING_ATTEMPTS = 6;
const PENDING_RETRY_MS = 2000;

/** An opaque key for `Idempotency-Key`; getRandomValues works where randomUUID needs a secure context. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  idempotencyKey?: string;
  /** A body sent as it is, with this content type (a CSV file), instead of JSON. */
  raw?: { body: string; contentType: string };
  /** Send without a bearer token (login, public tracking). */
  anonymous?: boolean;
  /** Auth routes: the refresh token travels in the httpOnly cookie only. */
  refreshCookie?: boolean;
  accept?: 'json' | 'blob';
}

export class HttpClient {
  private accessToken: string | null = null;
  private refreshing: Promise<SessionTokens | null> | null = null;
  /** Told whenever the signed-in user changes (login, refresh, logout, a revoked session). */
  onSession: (user: SessionUser | null) => void = () => {};

  constructor(
    readonly base = '/api/v1',
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = globalThis.localStorage ?? null,
  ) {}

  /** The organisation requests act in (`X-Organization-Id`); null: the person's own account. Kept per browser. */
  get organizationId(): string | null {
    return this.storage?.getItem(ORGANIZATION_KEY) ?? null;
  }

  set organizationId(id: string | null) {
    if (id) this.storage?.setItem(ORGANIZATION_KEY, id);
    else this.storage?.removeItem(ORGANIZATION_KEY);
  }

  get hasStoredSession(): boolean {
    return this.storage?.getItem(SESSION_KEY) === '1';
  }

  adopt(tokens: SessionTokens): SessionUser {
    this.accessToken = tokens.accessToken;
    this.storage?.setItem(SESSION_KEY, '1');
    this.onSession(tokens.user);
    return tokens.user;
  }

  forget(): void {
    this.accessToken = null;
    this.storage?.removeItem(SESSION_KEY);
    this.storage?.removeItem(ORGANIZATION_KEY);
    this.onSession(null);
  }

  /** A new access token (and rotated cookie) from the refresh cookie; concurrent callers share one request (reuse revokes). */
  refresh(): Promise<SessionTokens | null> {
    this.refreshing ??= withRefreshLock(async () => {
      if (!this.hasStoredSession) return null;
      try {
        // Under the lock: tabs share one cookie, and presenting a rotated one would revoke the session.
        const tokens = await this.send<SessionTokens>('POST', '/auth/refresh', { body: {}, anonymous: true, refreshCookie: true });
        this.adopt(tokens);
        return tokens;
      } catch (err) {
        // Only a definite refusal ends the session; a network failure leaves it for the next try.
        if (err instanceof ApiError && err.status !== 0 && !err.retryable) this.forget();
        if (err instanceof ApiError && err.status === 0) throw err;
        return null;
      }
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A usable access token, refreshed first when there is none or it is about to expire (sockets reconnect with it). */
  async token(): Promise<string> {
    if (this.accessToken && expiresInMs(this.accessToken) > 30_000) return this.accessToken;
    const tokens = await this.refresh();
    if (!tokens) throw new ApiError(401, 'UNAUTHENTICATED', 'please sign in');
    return tokens.accessToken;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // The same key on the retry after a refresh, so a change that did land is not made twice.
    const key = method === 'POST' ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    const opts = { ...options, idempotencyKey: key };
    if (options.anonymous) return this.sendPatiently<T>(method, path, opts);
    if (!this.accessToken && this.hasStoredSession) await this.refresh();
    try {
      return await this.sendPatiently<T>(method, path, opts);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401 || !this.hasStoredSession) throw err;
      const tokens = await this.refresh();
      if (!tokens) throw err;
      return this.sendPatiently<T>(method, path, opts);
    }
  }

  /**
   * A change the delivery's workflow did not answer within the API's deadline (504 WORKFLOW_PENDING) is
   * asked about again with the same Idempotency-Key, which finds its outcome instead of making it twice.
   */
  private async sendPatiently<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(method, path, options);
      } catch (err) {
        const pending = err instanceof ApiError && err.code === 'WORKFLOW_PENDING' && options.idempotencyKey;
        if (!pending || attempt >= PENDING_ATTEMPTS) throw err;
        await new Promise((done) => setTimeout(done, PENDING_RETRY_MS));
      }
    }
  }

  private async send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.raw) headers['content-type'] = options.raw.contentType;
    if (!options.anonymous && this.accessToken) headers.authorization = `Bearer ${this.accessToken}`;
    const organizationId = this.organizationId;
    if (!options.anonymous && organizationId) headers['x-organization-id'] = organizationId;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.refreshCookie) Object.assign(headers, COOKIE_MODE);
    let res: Response;
    try {
      res = await fetch(this.base + path + queryString(options.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: options.raw ? options.raw.body : options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'no connection to the server');
    }
    if (!res.ok) throw await problemFrom(res);
    if (options.accept === 'blob') return (await res.blob()) as T;
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
}

/** Milliseconds until a JWT's `exp`; 0 when it cannot be read. */
function expiresInMs(jwt: string): number {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return payload.exp ? payload.exp * 1000 - Date.now() : 0;
  } catch {
    return 0;
  }
}

/** Tabs share one refresh token; presenting a rotated one would revoke the whole session. */
function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request('lp.refresh', fn) as Promise<T>) : fn();
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function problemFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const p = JSON.parse(text) as { title?: string; detail?: string; code?: string; errors?: FieldProblem[] };
    return new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? p.title ?? res.statusText, p.errors ?? []);
  } catch {
    return new ApiError(res.status, `HTTP_${res.status}`, res.status === 404 ? 'not found' : text.slice(0, 200) || res.statusText);
  }
}
