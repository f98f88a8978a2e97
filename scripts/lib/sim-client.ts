/** A tiny API client for the simulator: logs in, and logs in again when its access token expires. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} → ${status} ${typeof body === 'object' ? JSON.stringify(body) : String(body)}`);
  }
}

export class SimClient {
  private token = '';
  user: { id: string; name: string; role: string; driverId?: string } | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly email: string,
    private readonly password: string,
  ) {}

  async login(): Promise<void> {
    const body = await this.send('POST', '/api/v1/auth/login', { email: this.email, password: this.password }, false);
    this.token = (body as { accessToken: string }).accessToken;
    this.user = (body as { user: SimClient['user'] }).user;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return (await this.send(method, path, body, true)) as T;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await this.login();
      return (await this.send(method, path, body, true)) as T;
    }
  }

  private async send(method: string, path: string, body: unknown, authorized: boolean): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(authorized ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (a proxy's error page): keep the text for the message
    }
    if (!res.ok) throw new ApiError(res.status, parsed, `${method} ${path}`);
    return parsed;
  }
}
