/** Address search, the address book and the pages' run-time settings. */
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { Config } from '../../config/env.js';
import type { PlaceStore } from '../../db/places.js';
import { createPlaceSchema, geocodeQuerySchema, parseLatLng, reverseGeocodeQuerySchema, type CreatePlaceBody, type GeocodeQuery } from '../../domain/places.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { registerOperations } from '../openapi.js';
import { consume, type RateLimits } from '../rate-limits.js';
import type { PlacesService } from '../services/places-service.js';
import type { AppState } from '../types.js';
import { isUuid, validate } from '../validate.js';

registerOperations([
  { method: 'get', path: '/geocode', summary: 'Address search: saved and recent places, then the geocoder (or the sample places without one)', roles: 'user', query: geocodeQuerySchema, ok: 200 },
  { method: 'get', path: '/geocode/reverse', summary: 'A name for a point picked on the map', roles: 'user', query: reverseGeocodeQuerySchema, ok: 200 },
  { method: 'get', path: '/places', summary: 'Your saved places and recent addresses', roles: 'user', ok: 200 },
  { method: 'post', path: '/places', summary: 'Save a place to your address book', roles: 'user', body: createPlaceSchema, ok: 201 },
  { method: 'delete', path: '/places/{id}', summary: 'Remove a saved place', roles: 'user (owner)', ok: 204 },
  { method: 'get', path: '/config', summary: 'Settings the pages read at run time: map tiles, and whether a geocoder and a router are configured', roles: 'anyone', ok: 200 },
]);

export function geocodeRoutes(deps: { places: PlacesService; limits: RateLimits; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/geocode' });
  router.use(deps.auth);
  // Every search may reach a provider with a per-second rule: each user gets their own budget.
  const budget: Middleware<AppState> = async (ctx, next) => {
    await consume(deps.limits.geocode, ctx.state.user!.id, 'too many address searches; wait a moment');
    await next();
  };

  router.get('/', validate('query', geocodeQuerySchema), budget, async (ctx) => {
    const query = ctx.state.query as GeocodeQuery;
    ctx.body = await deps.places.search(ctx.state.user!, query.q, query.near ? parseLatLng(query.near) : undefined);
  });

  router.get('/reverse', validate('query', reverseGeocodeQuerySchema), budget, async (ctx) => {
    const point = ctx.state.query as z.infer<typeof reverseGeocodeQuerySchema>;
    ctx.body = await deps.places.reverse(ctx.state.user!, point);
  });
  return router;
}

export function placeRoutes(deps: { store: PlaceStore; auth: Middleware<AppState> }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/v1/places' });
  router.use(deps.auth);
  const owner = (ctx: { state: AppState }) => ({ userId: ctx.state.user!.id });

  router.get('/', async (ctx) => {
    const [items, recent] = await Promise.all([deps.store.list(owner(ctx)), deps.store.recent(owner(ctx))]);
    ctx.body = { items, recent };
  });

  router.post('/', validate('body', createPlaceSchema), async (ctx) => {
    const place = await deps.store.add(owner(ctx), ctx.state.body as CreatePlaceBody);
    if (!place) throw new ConflictError('the address book is full; remove a place first', 'PLACES_FULL');
    ctx.status = 201;
    ctx.body = place;
  });

  router.delete('/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!isUuid(id) || !(await deps.store.remove(owner(ctx), id))) throw new NotFoundError('place');
    ctx.status = 204;
  });
  return router;
}

export interface PageConfig {
  map: { tileUrl: string | null; attribution: string; maxZoom: number };
  geocoder: boolean;
  router: boolean;
}

export function configRoutes(deps: { config: Readonly<Config> }): Router<AppState> {
  const { config } = deps;
  const body: PageConfig = {
    map: { tileUrl: config.MAP_TILE_URL ?? null, attribution: config.MAP_ATTRIBUTION, maxZoom: config.MAP_MAX_ZOOM },
    geocoder: Boolean(config.GEOCODER_URL),
    router: Boolean(config.ROUTER_URL),
  };
  const router = new Router<AppState>({ prefix: '/api/v1/config' });
  router.get('/', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = body;
  });
  return router;
}
