/** Address search, the address book and the pages' run-time settings. */
import type { Config } from '../../config/env.js';
import type { PlaceStore } from '../../db/places.js';
import { createPlaceSchema, geocodeQuerySchema, parseLatLng, reverseGeocodeQuerySchema, type CreatePlaceBody } from '../../domain/places.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { consume, type RateLimits } from '../rate-limits.js';
import type { PlacesService } from '../services/places-service.js';
import { route, type Resource, type RouteContext, type SignIn } from '../route.js';

export function geocodeRoutes(deps: { places: PlacesService; limits: RateLimits; auth: SignIn }): Resource {
  // Every search may reach a provider with a per-second rule: each user gets their own budget.
  const spendBudget = (ctx: RouteContext) => consume(deps.limits.geocode, ctx.state.user!.id, 'too many address searches; wait a moment');
  return {
    prefix: '/geocode',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/geocode', summary: 'Address search: saved and recent places, then the geocoder (or the sample places without one)',
        roles: 'user', query: geocodeQuerySchema, ok: 200,
        handler: async (ctx) => {
          await spendBudget(ctx);
          const query = ctx.state.query;
          return deps.places.search(ctx.state.user!, query.q, query.near ? parseLatLng(query.near) : undefined);
        },
      }),
      route({
        method: 'get', path: '/geocode/reverse', summary: 'A name for a point picked on the map', roles: 'user', query: reverseGeocodeQuerySchema, ok: 200,
        handler: async (ctx) => {
          await spendBudget(ctx);
          return deps.places.reverse(ctx.state.user!, ctx.state.query);
        },
      }),
    ],
  };
}

export function placeRoutes(deps: { store: PlaceStore; auth: SignIn }): Resource {
  const owner = (ctx: RouteContext) => ({ userId: ctx.state.user!.id });
  return {
    prefix: '/places',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/places', summary: 'Your saved places and recent addresses', roles: 'user', ok: 200,
        handler: async (ctx) => {
          const [items, recent] = await Promise.all([deps.store.list(owner(ctx)), deps.store.recent(owner(ctx))]);
          return { items, recent };
        },
      }),
      route({
        method: 'post', path: '/places', summary: 'Save a place to your address book', roles: 'user', body: createPlaceSchema, ok: 201,
        handler: async (ctx) => {
          const place = await deps.store.add(owner(ctx), ctx.state.body as CreatePlaceBody);
          if (!place) throw new ConflictError('the address book is full; remove a place first', 'PLACES_FULL');
          return place;
        },
      }),
      route({
        method: 'delete', path: '/places/:id', summary: 'Remove a saved place', roles: 'user', who: 'user (owner)', ids: { id: 'place' }, ok: 204,
        handler: async (ctx) => {
          if (!(await deps.store.remove(owner(ctx), ctx.params.id!))) throw new NotFoundError('place');
        },
      }),
    ],
  };
}

export interface PageConfig {
  map: { tileUrl: string | null; attribution: string; maxZoom: number };
  geocoder: boolean;
  router: boolean;
}

export function configRoutes(deps: { config: Readonly<Config> }): Resource {
  const { config } = deps;
  const body: PageConfig = {
    map: { tileUrl: config.MAP_TILE_URL ?? null, attribution: config.MAP_ATTRIBUTION, maxZoom: config.MAP_MAX_ZOOM },
    geocoder: Boolean(config.GEOCODER_URL),
    router: Boolean(config.ROUTER_URL),
  };
  return {
    prefix: '/config',
    routes: [
      route({
        method: 'get', path: '/config', summary: 'Settings the pages read at run time: map tiles, and whether a geocoder and a router are configured',
        roles: 'anyone', ok: 200,
        handler: (ctx) => {
          ctx.set('Cache-Control', 'public, max-age=60');
          return body;
        },
      }),
    ],
  };
}
