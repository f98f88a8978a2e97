/**
 * B4's baseline: a minimal Koa handler that takes a ping and broadcasts it through the same Redis emitter
 * and Socket.IO Redis adapter as the API, to sockets on its own port — the API's path without
 * authentication, validation or storage. Sockets join `dispatch` unasked; the driver id comes from an
 * `x-driver-id` header. `tsx bench/baselines/location-server.ts <port> <redis prefix>`
 */
import { createServer } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import Koa from 'koa';
import { Server } from 'socket.io';
import { createLivePublisher, socketIoKey } from '../../adapters/live-publisher.js';

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

const server = createServer(app.callback());
const pub = redis.duplicate();
const sub = redis.duplicate();
const io = new Server(server, { adapter: createAdapter(pub, sub, { key: socketIoKey(prefix) }) });
io.on('connection', (socket) => void socket.join('dispatch'));
server.listen(Number(port), '127.0.0.1');
const stop = () => {
  io.close();
  for (const client of [redis, pub, sub]) client.disconnect();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
