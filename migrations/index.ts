/** Every migration in order. Listed explicitly so the same list runs under tsx, vitest and from dist/. */
import * as core from './20261125000100-core.js';
import * as authAndIdempotency from './20261125000200-auth-and-idempotency.js';
import * as proofsAndLocations from './20261125000300-proofs-and-locations.js';

export const migrations = [
  { name: '20261125000100-core', ...core },
  { name: '20261125000200-auth-and-idempotency', ...authAndIdempotency },
  { name: '20261125000300-proofs-and-locations', ...proofsAndLocations },
];
