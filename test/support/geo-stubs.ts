/**
 * Local servers speaking the Nominatim API (`/search`, `/reverse`, jsonv2), the OSRM API
 * (`/route/v1/driving`, `/table/v1/driving`) and an XYZ tile server, as the Groq stub does for Groq.
 * Each answers sensibly by default; a test queues scripted replies (a status, a delay, garbage) to
 * make the faults it checks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deflateSync, crc32 } from 'node:zlib';
import { listenStub } from './stub-server.js';

export type Scripted =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** A 200 whose body is this text verbatim (not JSON, or JSON of the wrong shape). */
  | { text: string }
  | { delayMs: number; then?: Scripted };

export interface StubRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  receivedAt: number;
}

export interface GeoStub {
  url: string;
  requests: StubRequest[];
  /** Replies used once each, in order, before the default answer. */
  reply(...replies: Scripted[]): void;
  /** Every request fails this way until reset (a provider that is down). */
  failAll(reply: Scripted | null): void;
  reset(): void;
  close(): Promise<void>;
}

type Answer = (req: StubRequest) => { status: number; body: unknown; type?: string };

async function startStub(answer: Answer): Promise<GeoStub> {
  const queue: Scripted[] = [];
  const requests: StubRequest[] = [];
  let always: Scripted | null = null;

  async function send(res: ServerResponse, req: StubRequest, scripted: Scripted | undefined): Promise<void> {
    if (!scripted) {
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' });
      res.end(Buffer.isBuffer(a.body) ? a.body : JSON.stringify(a.body));
      return;
    }
    if ('delayMs' in scripted) {
      await new Promise((r) => setTimeout(r, scripted.delayMs));
      if (!res.destroyed) await send(res, req, scripted.then);
      return;
    }
    if ('text' in scripted) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(scripted.text);
      return;
    }
    res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
    res.end(JSON.stringify(scripted.body ?? { error: `status ${scripted.status}` }));
  }

  const server = await listenStub(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const request: StubRequest = { path: url.pathname, query: url.searchParams, headers: req.headers, receivedAt: Date.now() };
    requests.push(request);
    await send(res, request, always ?? queue.shift());
  });
  return {
    url: server.url,
    requests,
    reply: (...replies) => queue.push(...replies),
    failAll: (reply) => {
      always = reply;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      always = null;
    },
    close: server.close,
  };
}

/** The stub geocoder's world: a few streets of the demo city. */
export const STUB_GAZETTEER = [
  { name: 'Torstraße 1, Mitte, 10119 Berlin, Deutschland', lat: 52.5296, lng: 13.4011 },
  { name: 'Torstraße 140, Mitte, 10119 Berlin, Deutschland', lat: 52.5281, lng: 13.3985 },
  { name: 'Skalitzer Straße 80, Kreuzberg, 10997 Berlin, Deutschland', lat: 52.4995, lng: 13.4381 },
  { name: 'Sonnenallee 50, Neukölln, 12045 Berlin, Deutschland', lat: 52.4868, lng: 13.4339 },
  { name: 'Schönhauser Allee 36, Prenzlauer Berg, 10435 Berlin, Deutschland', lat: 52.5398, lng: 13.4125 },
];

export function startNominatimStub(): Promise<GeoStub> {
  return startStub((req) => {
    if (req.path === '/search') {
      const words = (req.query.get('q') ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean);
      const limit = Number(req.query.get('limit') ?? 10);
      const hits = STUB_GAZETTEER.filter((p) => words.every((w) => p.name.toLowerCase().includes(w))).slice(0, limit);
      return {
        status: 200,
        body: hits.map((p, i) => ({ place_id: 1000 + i, lat: String(p.lat), lon: String(p.lng), display_name: p.name, category: 'place', type: 'house', importance: 0.5 })),
      };
    }
    if (req.path === '/reverse') {
      const lat = Number(req.query.get('lat'));
      const lng = Number(req.query.get('lon'));
      const nearest = STUB_GAZETTEER.map((p) => ({ p, d: Math.hypot(p.lat - lat, p.lng - lng) })).sort((a, b) => a.d - b.d)[0]!;
      if (nearest.d > 0.05) return { status: 200, body: { error: 'Unable to geocode' } };
      return { status: 200, body: { place_id: 1, lat: String(lat), lon: String(lng), display_name: `near ${nearest.p.name}` } };
    }
    return { status: 404, body: { error: 'no such endpoint' } };
  });
}

/** Roads in the stub are 1.25 × the straight line, driven at 30 km/h, with a bend half way. */
export const STUB_ROAD = { factor: 1.25, kmh: 30 };

function straightKm(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function startOsrmStub(): Promise<GeoStub> {
  return startStub((req) => {
    const m = /^\/(route|table)\/v1\/driving\/(.+)$/.exec(req.path);
    if (!m) return { status: 404, body: { code: 'InvalidUrl', message: 'no such service' } };
    const coords = decodeURIComponent(m[2]!).split(';').map((c) => c.split(',').map(Number) as [number, number]);
    if (coords.some((c) => c.length !== 2 || c.some(Number.isNaN))) return { status: 400, body: { code: 'InvalidQuery', message: 'bad coordinates' } };
    const metres = (a: [number, number], b: [number, number]) => straightKm(a, b) * STUB_ROAD.factor * 1000;
    const seconds = (m: number) => (m / 1000 / STUB_ROAD.kmh) * 3600;
    if (m[1] === 'route') {
      const [a, b] = coords as [[number, number], [number, number]];
      const distance = metres(a, b);
      const bend: [number, number] = [a[0], b[1]];
      return { status: 200, body: { code: 'Ok', routes: [{ distance, duration: seconds(distance), weight: 1, geometry: { type: 'LineString', coordinates: [a, bend, b] } }], waypoints: [] } };
    }
    const sources = (req.query.get('sources') ?? '').split(';').map(Number);
    const destinations = (req.query.get('destinations') ?? '').split(';').map(Number);
    const distances = sources.map((s) => destinations.map((d) => metres(coords[s]!, coords[d]!)));
    return { status: 200, body: { code: 'Ok', distances, durations: distances.map((row) => row.map(seconds)) } };
  });
}

// --- Tiles: a made-up street pattern, continuous across tiles, drawn into small PNGs. ---

function png(width: number, height: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = rgb(x, y);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function streetTile(z: number, tx: number, ty: number): Buffer {
  // Streets every 64 × 48 world pixels with alleys between, two avenues, a river and some parks.
  return png(256, 256, (px, py) => {
    const gx = tx * 256 + px;
    const gy = ty * 256 + py;
    const block = Math.floor(gx / 64) * 7919 + Math.floor(gy / 48) * 104729;
    const wave = Math.sin(gx / 180) * 60;
    if (Math.abs(((gy + wave) % 900) - 450) < 14) return [170, 211, 223];
    if (Math.abs(((((gx - gy) % 700) + 700) % 700) - 350) < 5 || Math.abs((gy % 420) - 210) < 5) return [252, 214, 164];
    if (gx % 64 < 4 || gy % 48 < 4) return [255, 255, 255];
    if (z >= 14 && (gx % 32 < 2 || gy % 24 < 2)) return [250, 248, 244];
    if (block % 9 === 0) return [200, 230, 190];
    if (z >= 15 && (gx % 16 < 12 && gy % 12 < 9)) return [222, 214, 206];
    return [242, 239, 233];
  });
}

export function startTileStub(): Promise<GeoStub> {
  const cache = new Map<string, Buffer>();
  return startStub((req) => {
    const m = /^\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.path);
    if (!m) return { status: 404, body: { error: 'not a tile' } };
    const key = `${m[1]}/${m[2]}/${m[3]}`;
    let tile = cache.get(key);
    if (!tile) cache.set(key, (tile = streetTile(Number(m[1]), Number(m[2]), Number(m[3]))));
    return { status: 200, body: tile, type: 'image/png' };
  });
}

/** The same few streets, answered in Photon's GeoJSON (`/api`, `/reverse`). */
export function startPhotonStub(): Promise<GeoStub> {
  const featureOf = (p: (typeof STUB_GAZETTEER)[number]) => {
    const [, street, housenumber, postcode, city, country] = /^(.+?) (\d+), [^,]+, (\d{5}) ([^,]+), (.+)$/.exec(p.name)!;
    return { type: 'Feature', geometry: { type: 'Point', coordinates: [p.lng, p.lat] }, properties: { street, housenumber, postcode, city, country, osm_type: 'N' } };
  };
  return startStub((req) => {
    if (req.path === '/api') {
      const words = (req.query.get('q') ?? '').toLowerCase().split(/[\s,]+/).filter(Boolean);
      const hits = STUB_GAZETTEER.filter((p) => words.every((w) => p.name.toLowerCase().includes(w))).slice(0, Number(req.query.get('limit') ?? 10));
      return { status: 200, body: { type: 'FeatureCollection', features: hits.map(featureOf) } };
    }
    if (req.path === '/reverse') {
      const lat = Number(req.query.get('lat'));
      const lng = Number(req.query.get('lon'));
      const near = STUB_GAZETTEER.filter((p) => Math.hypot(p.lat - lat, p.lng - lng) < 0.01);
      return { status: 200, body: { type: 'FeatureCollection', features: near.slice(0, 1).map(featureOf) } };
    }
    return { status: 404, body: { message: 'no such endpoint' } };
  });
}
