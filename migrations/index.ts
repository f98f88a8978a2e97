/** Every migration in order. Listed explicitly so the same list runs under tsx, vitest and from dist/. */
import * as core from './20261125000100-core.js';
import * as authAndIdempotency from './20261125000200-auth-and-idempotency.js';
import * as proofsAndLocations from './20261125000300-proofs-and-locations.js';
import * as driverLocationsRetention from './20261126120000-driver-locations-retention.js';
import * as notificationsAndWebhooks from './20261126130000-notifications-and-webhooks.js';
import * as driverSearch from './20261203234500-driver-search.js';
import * as windowsCodesAlerts from './20261203234500-windows-codes-alerts.js';
import * as places from './20261203235000-places.js';
import * as organizations from './20261203234500-organizations.js';
import * as imports from './20261204000500-imports.js';
import * as transitionOutbox from './20261204150000-transition-outbox.js';
import * as updatesInFlight from './20261205090000-updates-in-flight.js';

export const migrations = [
  { name: '20261125000100-core', ...core },
  { name: '20261125000200-auth-and-idempotency', ...authAndIdempotency },
  { name: '20261125000300-proofs-and-locations', ...proofsAndLocations },
  { name: '20261126120000-driver-locations-retention', ...driverLocationsRetention },
  { name: '20261126130000-notifications-and-webhooks', ...notificationsAndWebhooks },
  { name: '20261203234500-driver-search', ...driverSearch },
  { name: '20261203234500-windows-codes-alerts', ...windowsCodesAlerts },
  { name: '20261203235000-places', ...places },
  { name: '20261203234500-organizations', ...organizations },
  { name: '20261204000500-imports', ...imports },
  { name: '20261204150000-transition-outbox', ...transitionOutbox },
  { name: '20261205090000-updates-in-flight', ...updatesInFlight },
];
