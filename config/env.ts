/** The one place that reads the environment: parsed once, typed, frozen; every bad key named together. */
import { z } from 'zod';
import { DEFAULT_TIMINGS, type DeliveryTimings } from '../domain/delivery.js';

export const DEFAULT_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';
export const DEFAULT_DEMO_PASSWORD = 'demo-password-2024';

const ms = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');
const csv = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  PUBLIC_URL: z.url().default('http://localhost:8000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').default('postgres://postgres@127.0.0.1:5432/logistics'),
  /** Public tracking reads may go to a replica; unset, they use DATABASE_URL. */
  DATABASE_READ_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// URL').default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[a-z0-9:_-]*$/).default('lp'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('deliveries'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  GROQ_API_KEY: z.string().optional(),
  GROQ_BASE_URL: z.url().optional(),
  GROQ_MODEL: z.string().default('llama-3.3-70b-versatile'),
  GROQ_TIMEOUT_MS: ms(8000),
  AI_QUOTA_PER_HOUR: z.coerce.number().int().min(1).default(60),
  /** A Nominatim-API geocoder (…/search, …/reverse); unset, address search covers saved, recent and sample places. */
  GEOCODER_URL: z.url().optional(),
  /** Which API GEOCODER_URL speaks. */
  GEOCODER_API: z.enum(['nominatim', 'photon']).default('nominatim'),
  /** Sent with every geocoder request, as public Nominatim's usage policy asks. */
  GEOCODER_USER_AGENT: z.string().min(3).default('logistics-platform/0.1'),
  /** Spacing between geocoder requests from one process: public Nominatim allows one a second. */
  GEOCODER_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  GEOCODER_TIMEOUT_MS: ms(3000),
  /** Address searches per user per minute. */
  GEOCODE_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** An OSRM-API router (…/route/v1/driving, …/table/v1/driving); unset, distances are straight-line estimates. */
  ROUTER_URL: z.url().optional(),
  ROUTER_TIMEOUT_MS: ms(3000),
  /** An XYZ raster tile template, e.g. https://tile.example.org/{z}/{x}/{y}.png; unset, maps are drawn on a grid. */
  MAP_TILE_URL: z.string().regex(/^(https?:\/\/|\/).*\{z\}.*\{x\}.*\{y\}/, 'a URL with {z}, {x} and {y}').optional(),
  MAP_ATTRIBUTION: z.string().max(300).default(''),
  MAP_MAX_ZOOM: z.coerce.number().int().min(1).max(22).default(19),
  JWT_SECRET: z.string().min(32, 'at least 32 characters').default(DEFAULT_JWT_SECRET),
  JWT_ISSUER: z.string().default('logistics-platform'),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(3600).default(900),
  REFRESH_TOKEN_TTL_S: z.coerce.number().int().min(300).default(30 * 24 * 3600),
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(3000),
  /** How long a public tracking view is served from memory; every change of its delivery drops it sooner. */
  TRACKING_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  CORS_ORIGINS: csv,
  TRUST_PROXY: flag,
  /** Proxies in front of the API that append to X-Forwarded-For; the client address is read that many from the right. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Sign-ups one address may make an hour: enough for a household, too few to probe which e-mails have accounts. */
  REGISTER_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** How long the API waits for a workflow to answer an Update before telling the caller where to look. */
  UPDATE_DEADLINE_MS: ms(10_000),
  /** Attempts of one activity in a row after which the dispatcher's board shows an alert. */
  ACTIVITY_ALERT_AFTER_ATTEMPTS: z.coerce.number().int().min(2).max(100).default(5),
  DEMO_PASSWORD: z.string().min(10).default(DEFAULT_DEMO_PASSWORD),
  SMTP_URL: z.string().optional(),
  WEBHOOK_ALLOWED_HOSTS: csv,
  SMTP_FROM: z.string().default('Logistics <no-reply@localhost>'),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(25).default(10),
  WEBHOOK_BACKOFF_MS: ms(15_000),
  WEBHOOK_TIMEOUT_MS: ms(5000),
  QUEUE_LOCK_MS: ms(30_000),
  QUEUE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  DELAY_NOTICE_WAIT_MS: ms(60_000),
  LOCATION_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
  BACKUP_DIR: z.string().min(1).default('.data/backups'),
  /** What `npm run start:prod` runs when no role is given on its command line. */
  APP_ROLE: z.enum(['api', 'worker', 'queues', 'migrate', 'all']).default('all'),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(100),
  QUOTE_TTL_MS: ms(DEFAULT_TIMINGS.quoteTtlMs),
  OFFER_TIMEOUT_MS: ms(DEFAULT_TIMINGS.offerTimeoutMs),
  DISPATCH_SLA_MS: ms(DEFAULT_TIMINGS.dispatchSlaMs),
  DISPATCH_RETRY_MS: ms(DEFAULT_TIMINGS.dispatchRetryMs),
  PICKUP_SLA_MS: ms(DEFAULT_TIMINGS.pickupSlaMs),
  REATTEMPT_DELAY_MS: ms(DEFAULT_TIMINGS.reattemptDelayMs),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(DEFAULT_TIMINGS.maxAttempts),
  DELIVERY_PROMISE_MS: z.coerce.number().int().min(1).optional(),
  /** A delivery whose pickup window opens later than this waits SCHEDULED, then starts dispatch this long before. */
  DISPATCH_LEAD_MS: ms(DEFAULT_TIMINGS.dispatchLeadMs!),
  DELIVERY_CODE_MAX_TRIES: z.coerce.number().int().min(1).max(20).default(DEFAULT_TIMINGS.maxCodeTries!),
  /** Priorities whose deliveries always need a delivery code (besides those booked with requireCode). */
  DELIVERY_CODE_PRIORITIES: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['standard', 'express', 'urgent']))),
  /** A milestone farther than this from its stop is flagged on the timeline and raised to the dispatcher. */
  MILESTONE_MAX_DISTANCE_M: z.coerce.number().int().min(10).default(1000),
});

type Env = z.infer<typeof envSchema>;

/** Every key the schema reads; `.env.example` documents each one. */
export const CONFIG_KEYS = Object.keys(envSchema.shape) as Array<keyof Env>;

export interface Config extends Env {
  timings: DeliveryTimings;
  production: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Readonly<Config> {
  // Empty strings mean "unset" so a blank line in .env falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production' && env.JWT_SECRET === DEFAULT_JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET: the development default is refused in production']);
  }
  const timings: DeliveryTimings = {
    quoteTtlMs: env.QUOTE_TTL_MS,
    offerTimeoutMs: env.OFFER_TIMEOUT_MS,
    dispatchSlaMs: env.DISPATCH_SLA_MS,
    dispatchRetryMs: env.DISPATCH_RETRY_MS,
    pickupSlaMs: env.PICKUP_SLA_MS,
    reattemptDelayMs: env.REATTEMPT_DELAY_MS,
    maxAttempts: env.MAX_ATTEMPTS,
    dispatchLeadMs: env.DISPATCH_LEAD_MS,
    maxCodeTries: env.DELIVERY_CODE_MAX_TRIES,
    ...(env.DELIVERY_PROMISE_MS ? { deliveryPromiseMs: env.DELIVERY_PROMISE_MS } : {}),
  };
  return Object.freeze({ ...env, timings, production: env.NODE_ENV === 'production' });
}
