/** The worker injects its clients here; workflows see only the type of what this returns. */
import type { Database } from '../db/connection.js';
import type { TemporalLinks } from '../db/deliveries.js';
import { createAiActivities, type AiActivityDeps } from './ai.js';
import { createDispatchActivities } from './dispatch.js';
import type { LivePublisher } from '../adapters/live-publisher.js';
import { liveTransitionHook } from './live-hook.js';
import type { TripMeasurer } from '../adapters/geo/router.js';
import { createImportActivities, type DeliveryStarter } from './imports.js';
import { createReadModelActivities, publisherFor, type TransitionHook } from './read-model.js';
import type { TransitionRelay } from './transition-relay.js';

export interface ActivityDeps {
  sequelize: Database;
  links: TemporalLinks;
  live?: LivePublisher;
  /** Further consumers of committed transitions (notifications, webhooks). */
  hooks?: TransitionHook[];
  /** The model for the AI steps; without it they use their deterministic fallbacks. */
  ai?: AiActivityDeps;
  /** Road distances for dispatch; without it, the straight-line estimate. */
  trips?: TripMeasurer;
  /** Starts the deliveries of bulk imports (the worker supplies it). */
  starter?: DeliveryStarter;
  /** Publishes recorded transitions (the worker supplies it, built with `transitionPublisher`). */
  relay?: Pick<TransitionRelay, 'handOff' | 'group'>;
}

function transitionHooks(deps: ActivityDeps): TransitionHook[] {
  return [...(deps.live ? [liveTransitionHook(deps.live, { sequelize: deps.sequelize })] : []), ...(deps.hooks ?? [])];
}

/** What publishing a committed transition runs: the live rooms, then notifications and webhooks. */
export function transitionPublisher(deps: ActivityDeps) {
  return publisherFor(deps.links, transitionHooks(deps));
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createReadModelActivities({ sequelize: deps.sequelize, links: deps.links, hooks: transitionHooks(deps), relay: deps.relay }),
    ...createDispatchActivities({ sequelize: deps.sequelize, live: deps.live, trips: deps.trips }),
    ...createAiActivities(deps.ai),
    ...createImportActivities({ sequelize: deps.sequelize, live: deps.live, starter: deps.starter }),
  };
}
