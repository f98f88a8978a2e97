import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../scripts/temporal.mjs';
import { searchAttributes } from './search-attributes.js';

// scripts/temporal.mjs runs before `npm install` and the compose set-up is shell, so neither can import
// this module: these checks keep the lists one.
const wanted = Object.fromEntries(Object.values(searchAttributes).map(({ name, type }) => [name, type.toLowerCase()]));

describe('search attributes', () => {
  it('are the ones the dev server registers, with the same types', () => {
    expect(Object.fromEntries(Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, type.toLowerCase()]))).toEqual(wanted);
  });

  it('are the ones deploy/temporal/search-attributes.txt lists for the cluster and compose', () => {
    const text = readFileSync(new URL('../deploy/temporal/search-attributes.txt', import.meta.url), 'utf8');
    const listed = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => line.split(/\s+/));
    expect(Object.fromEntries(listed.map(([name, type]) => [name, type!.toLowerCase()]))).toEqual(wanted);
  });
});
