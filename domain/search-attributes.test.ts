import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../scripts/temporal.mjs';
import { searchAttributes } from './search-attributes.js';

// scripts/temporal.mjs runs before `npm install` and the compose set-up is shell, so neither can import
// this module: these checks keep the three lists one.
const wanted = Object.fromEntries(Object.values(searchAttributes).map(({ name, type }) => [name, type.toLowerCase()]));

describe('search attributes', () => {
  it('are the ones the dev server registers, with the same types', () => {
    expect(Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, type.toLowerCase()]))).toEqual(wanted);
  });

  it('are the ones the production namespace set-up registers', () => {
    const script = readFileSync(new URL('../deploy/temporal/setup-namespace.sh', import.meta.url), 'utf8');
    const pairs = /for pair in ([^;]+); do/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
    expect(Object.fromEntries(pairs.map((pair) => pair.split(':')).map(([name, type]) => [name, type!.toLowerCase()]))).toEqual(wanted);
  });
});
