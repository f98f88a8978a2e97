import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, loadConfig } from './env.js';

const example = readFileSync(path.resolve(import.meta.dirname, '..', '.env.example'), 'utf8');
const assignments = Object.fromEntries(
  example
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

describe('.env.example', () => {
  it('documents every key the configuration reads, and no other', () => {
    expect(Object.keys(assignments).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('is a valid development configuration as written', () => {
    const config = loadConfig(assignments);
    expect(config.PORT).toBe(8000);
    expect(config.production).toBe(false);
  });

  it('is refused as a production configuration until JWT_SECRET is set', () => {
    expect(() => loadConfig({ ...assignments, NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ ...assignments, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48) }).production).toBe(true);
  });
});
