/**
 * B3's baseline: a minimal Koa + pg handler running the statement GET /track/:code runs (the delivery, its
 * timeline and its driver's position in one query) and building the same view from its row, with the
 * API's pool size and no middleware: no rate limit, request id, logging, metrics or ORM.
 * `tsx bench/baselines/tracking-server.ts <port> <database url>`
 */
import Koa from 'koa';
import pg from 'pg';
import { TRACKING_VIEW_BY_CODE, trackingViewFromRow, type TrackingViewRow } from '../../db/tracking.js';

const [port, databaseUrl] = process.argv.slice(2);
if (!port || !databaseUrl) {
  console.error('usage: tsx bench/baselines/tracking-server.ts <port> <database url>');
  process.exit(2);
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const app = new Koa();
const TRACK = /^\/api\/v1\/track\/([0-9A-Za-z]{16})$/;

app.use(async (ctx) => {
  if (ctx.path === '/health') {
    ctx.body = { ok: true };
    return;
  }
  const code = TRACK.exec(ctx.path)?.[1]?.toUpperCase();
  if (!code) return;
  // Prepared once per connection, as the API prepares it.
  const { rows } = await pool.query<TrackingViewRow>({ name: 'tracking-view-by-code', text: TRACKING_VIEW_BY_CODE, values: [code] });
  const row = rows[0];
  if (!row) return;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = trackingViewFromRow(row);
});

const server = app.listen(Number(port), '127.0.0.1');
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
