/**
 * The native cluster, the dev server and docker-compose.yml are kept from drifting apart: the cluster's
 * app processes run compose's commands and environment, and Temporal's search attributes and dynamic
 * config are read from one file each.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { searchAttributes } from '../../../domain/search-attributes.js';
import { dynamicConfigValues, SEARCH_ATTRIBUTES } from '../../temporal.mjs';
import { APP_SERVICES, appProcess, composeAppServices, interpolate, LOCAL_KEYS, PER_PROCESS_KEYS } from './app-processes.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const local = { DATABASE_URL: 'postgres://a@127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1:1', TEMPORAL_ADDRESS: '127.0.0.1:2', PUBLIC_URL: 'https://localhost:3', TEMPORAL_UI_URL: 'http://localhost:4' };
const vars = { JWT_SECRET: 'j'.repeat(48), APP_DB_PASSWORD: 'p', REDIS_PASSWORD: 'r', LOG_LEVEL: 'warn' };

describe('the cluster runs the app as docker-compose.yml does', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, { command: string[]; environment: Record<string, string> }> };

  it.each(APP_SERVICES)('%s: the image entrypoint with compose’s command', (service) => {
    const plan = appProcess(composeAppServices(root), service, { name: service, dist: '/build', vars, local, perProcess: {} });
    expect(plan.args).toEqual(['/build/scripts/start-prod.js', ...compose.services[service]!.command]);
    // The image runs the same file: ENTRYPOINT [..., "node", "dist/scripts/start-prod.js"].
    expect(read('Dockerfile')).toMatch(/ENTRYPOINT \[.*"node", "dist\/scripts\/start-prod\.js"\]/);
  });

  it.each(APP_SERVICES)('%s: compose’s environment, only the hosts of its network replaced', (service) => {
    const perProcess = { PORT: '8001', REDIS_PREFIX: 'lpcluster' };
    const plan = appProcess(composeAppServices(root), service, { name: service, dist: '/build', vars, local, perProcess });
    const environment = compose.services[service]!.environment;
    expect(Object.keys(plan.env).sort()).toEqual([...new Set([...Object.keys(environment), ...Object.keys(perProcess)])].sort());
    for (const [key, value] of Object.entries(environment)) {
      const expected = (LOCAL_KEYS as readonly string[]).includes(key) ? local[key as keyof typeof local] : interpolate(String(value), vars);
      expect(plan.env[key], key).toBe(expected);
    }
    for (const key of Object.keys(perProcess)) expect(PER_PROCESS_KEYS).toContain(key);
    // What the network replaces is really a compose host there.
    expect(environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(environment.DATABASE_URL).toContain('@postgres:5432/');
  });

  it('interpolates as compose does, refusing a required value that is missing', () => {
    expect(interpolate('${A:-x}-${B}', { B: 'b' })).toBe('x-b');
    expect(() => interpolate('${JWT_SECRET:?set it}', {})).toThrow('JWT_SECRET must be set: set it');
  });
});

describe('Temporal’s definitions are written once', () => {
  it('the search attributes file matches what the workflows write', () => {
    const fromDomain = Object.fromEntries(Object.values(searchAttributes).map(({ name, type }) => [name, type]));
    const fromFile = Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, type.toUpperCase()]));
    expect(fromFile).toEqual(fromDomain);
  });

  it('compose registers the same file', () => {
    expect(read('docker-compose.yml')).toContain('./deploy/temporal/search-attributes.txt:/scripts/search-attributes.txt:ro');
    expect(read('deploy/temporal/setup-namespace.sh')).toContain('/scripts/search-attributes.txt');
    expect(read('deploy/temporal/setup-namespace.sh')).not.toMatch(/DeliveryStatus/);
  });

  it('the dev server gets every dynamic config value the cluster and compose read', () => {
    const yaml = parse(read('deploy/temporal/dynamicconfig.yaml')) as Record<string, Array<{ value: unknown }>>;
    const expected = Object.entries(yaml).flatMap(([key, entries]) => entries.map((e) => `${key}=${String(e.value)}`));
    expect(dynamicConfigValues()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(read('docker-compose.yml')).toContain('./deploy/temporal/dynamicconfig.yaml:');
  });
});
