/** Rate limits on Redis, with an in-memory stand-in so a Redis outage never blocks requests. */
import type { Redis } from 'ioredis';
import type { Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequestsError } from './errors.js';
import { LeasedLimiter } from './leased-limiter.js';
import type { AppState } from './types.js';

function limiter(redis: Redis, keyPrefix: string, points: number, duration: number, blockDuration = 0): RateLimiterAbstract {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    blockDuration,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${keyPrefix}:mem`, points, duration, blockDuration }),
  });
}

export interface RateLimits {
  /** Consecutive failed logins for one account from one address. */
  loginByUserAndIp: RateLimiterAbstract;
  /** Failed logins from one address across accounts (credential stuffing). */
  loginByIp: RateLimiterAbstract;
  publicByIp: RateLimiterAbstract;
  /** Sign-ups from one address an hour. */
  registerByIp: RateLimiterAbstract;
  ai: RateLimiterAbstract;
  /** Address searches per user. */
  geocode: RateLimiterAbstract;
  /** What every request signed with an API key spends, per key (people's own budgets are untouched). */
  apiKeys: RateLimiterAbstract;
  /** What every request spends (`generalLimit`): per user when signed in, else per address (`publicByIp`), leased by busy keys. */
  requests: { signedIn: LeasedLimiter; anonymous: LeasedLimiter };
}

const LOGIN_LIMITS = { perUserAndIp: 10, perIp: 100 } as const;

export function createRateLimits(redis: Redis, prefix: string, perMinute: number, aiPerHour: number, registerPerHour = 20, geocodePerMinute = 60): RateLimits {
  const perUser = limiter(redis, `${prefix}:rl:user`, perMinute, 60);
  const publicByIp = limiter(redis, `${prefix}:rl:public`, perMinute * 10, 60);
  return {
    loginByUserAndIp: limiter(redis, `${prefix}:rl:login:user-ip`, LOGIN_LIMITS.perUserAndIp, 15 * 60, 15 * 60),
    loginByIp: limiter(redis, `${prefix}:rl:login:ip`, LOGIN_LIMITS.perIp, 60 * 60, 60 * 60),
    publicByIp,
    registerByIp: limiter(redis, `${prefix}:rl:register`, registerPerHour, 60 * 60),
    ai: limiter(redis, `${prefix}:rl:ai`, aiPerHour, 60 * 60),
    geocode: limiter(redis, `${prefix}:rl:geocode`, geocodePerMinute, 60),
    apiKeys: limiter(redis, `${prefix}:rl:key`, perMinute, 60),
    requests: { signedIn: new LeasedLimiter(perUser), anonymous: new LeasedLimiter(publicByIp) },
  };
}

export async function consume(l: { consume(key: string): Promise<unknown> }, key: string, message?: string): Promise<void> {
  try {
    await l.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new TooManyRequestsError(err.msBeforeNext / 1000, message);
    throw err;
  }
}

/**
 * A login attempt spends its points before the password is checked, so parallel guesses cannot all slip
 * in before the first failure is counted; a successful login gives them back (only failures count).
 */
export async function spendLoginAttempt(limits: RateLimits, email: string, ip: string): Promise<void> {
  const message = 'too many failed logins; try again later';
  await consume(limits.loginByUserAndIp, `${email}|${ip}`, message);
  await consume(limits.loginByIp, ip, message);
}

export async function loginSucceeded(limits: RateLimits, email: string, ip: string): Promise<void> {
  await Promise.all([limits.loginByUserAndIp.delete(`${email}|${ip}`), limits.loginByIp.reward(ip, 1)]);
}

/** Per API key, per signed-in user, or per address for anonymous callers. */
export function generalLimit(limits: RateLimits): Middleware<AppState> {
  const limited: Middleware<AppState> = async (ctx, next) => {
    const user = ctx.state.user;
    if (user?.apiKey) await consume(limits.apiKeys, user.apiKey.id, 'this API key made too many requests; slow down');
    else await consume(user ? limits.requests.signedIn : limits.requests.anonymous, user ? user.id : ctx.ip);
    await next();
  };
  return (ctx, next) => {
    const user = ctx.state.user;
    // A busy key spends the points its lease holds here: no promise until the lease runs out.
    if (!user?.apiKey && (user ? limits.requests.signedIn.spendLeased(user.id) : limits.requests.anonymous.spendLeased(ctx.ip))) return next();
    return limited(ctx, next);
  };
}
