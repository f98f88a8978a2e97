/**
 * The platform's processes in the cluster run what docker-compose.yml gives its services: the image's
 * entrypoint (`node dist/scripts/start-prod.js`) with the service's command, and the service's
 * environment. Only what names the compose network's hosts is replaced by this machine's addresses
 * (LOCAL_KEYS), and each replica gets its own ports, as each container has its own network.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const APP_SERVICES = ['migrate', 'api', 'worker', 'queues'] as const;
export type AppService = (typeof APP_SERVICES)[number];

/** Compose values that name hosts on its own network; here they name this machine. */
export const LOCAL_KEYS = ['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS', 'PUBLIC_URL', 'TEMPORAL_UI_URL'] as const;
/** What the image sets per container (Dockerfile ENV), or what keeps stacks sharing one Redis apart. */
export const PER_PROCESS_KEYS = ['PORT', 'WORKER_METRICS_PORT', 'QUEUE_METRICS_PORT', 'REDIS_PREFIX'] as const;

/** The image's entrypoint (Dockerfile): the role is its argument. */
export const ENTRYPOINT = ['dist/scripts/start-prod.js'];

export interface ComposeService {
  command: string[];
  environment: Record<string, string>;
  /** The service's health check command (`healthcheck.test`, CMD form), if it has one. */
  healthcheck?: string[];
}

/** The app services of docker-compose.yml, anchors and merge keys resolved, values not yet interpolated. */
export function composeAppServices(root: string): Record<AppService, ComposeService> {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, unknown>; healthcheck?: { test?: string[] } }>;
  };
  return Object.fromEntries(
    APP_SERVICES.map((name) => {
      const service = compose.services[name];
      if (!service?.command) throw new Error(`docker-compose.yml has no command for service ${name}`);
      const environment = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
      const test = service.healthcheck?.test?.map(String);
      const healthcheck = test?.[0] === 'CMD' ? test.slice(1) : undefined;
      return [name, { command: service.command.map(String), environment, ...(healthcheck ? { healthcheck } : {}) }];
    }),
  ) as Record<AppService, ComposeService>;
}

/** Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}`, from `vars`. */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string | undefined) => {
    const found = vars[name];
    if (found !== undefined && found !== '') return found;
    if (op === ':?') throw new Error(`${name} must be set: ${arg}`);
    return op === ':-' ? (arg ?? '') : '';
  });
}

export interface AppProcessPlan {
  name: string;
  /** `node` arguments: the build's entrypoint, then compose's command. */
  args: string[];
  /** Compose's command: what follows the image's entrypoint. */
  command: string[];
  env: Record<string, string>;
  healthcheck?: string[];
}

/**
 * The command and environment of one process of `service`: compose's, interpolated from `vars`, with
 * LOCAL_KEYS from `local` and PER_PROCESS_KEYS from `perProcess`.
 */
export function appProcess(
  compose: Record<AppService, ComposeService>,
  service: AppService,
  options: { name: string; dist: string; vars: Record<string, string | undefined>; local: Record<(typeof LOCAL_KEYS)[number], string>; perProcess: Partial<Record<(typeof PER_PROCESS_KEYS)[number], string>> },
): AppProcessPlan {
  const { command, environment, healthcheck } = compose[service];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    env[key] = (LOCAL_KEYS as readonly string[]).includes(key) ? options.local[key as (typeof LOCAL_KEYS)[number]] : interpolate(value, options.vars);
  }
  for (const [key, value] of Object.entries(options.perProcess)) if (value !== undefined) env[key] = value;
  const entry = path.join(options.dist, ...ENTRYPOINT[0]!.split('/').slice(1));
  return { name: options.name, args: [entry, ...command], command, env, ...(healthcheck ? { healthcheck } : {}) };
}
