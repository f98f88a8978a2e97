/**
 * B4's baseline: a minimal Koa handler that takes a ping and broadcasts it through the same Redis emitter
 * as the API (no authentication, validation or storage). The driver id comes from an `x-driver-id` header.
 * `tsx bench/baselines/location-server.ts <port> <redis prefix>`
 */
import { bodyParser } from '@koa/bodyparser';
import { Redis } from 'ioredis';
import Koa from 'koa';
import { createLivePublisher } from '../../activities/live.js';

const [port, prefix] = process.argv.slice(2);
if (!port || !prefix) {
  console.error('usage: tsx bench/baselines/location-server.ts <port> <redis prefix>');
  process.exit(2);
}

const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const live = createLivePublisher(redis, prefix);
const app = new Koa();
app.use(bodyParser());
app.use(async (ctx) => {
  if (ctx.path === '/health') {
    ctx.body = { ok: true };
    return;
  }
  if (ctx.method !== 'POST' || ctx.path !== '/api/v1/drivers/me/location') return;
  const ping = ctx.request.body as { lat: number; lng: number; heading?: number; recordedAt: string };
  const driverId = ctx.get('x-driver-id');
  await live.publishDriverLocation({ driverId, lat: ping.lat, lng: ping.lng, heading: ping.heading, at: ping.recordedAt }, []);
  ctx.status = 202;
  ctx.body = { accepted: 1 };
});

const server = app.listen(Number(port), '127.0.0.1');
const stop = () => server.close(() => {
  redis.disconnect();
  process.exit(0);
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
