/**
 * B3's baseline: a minimal Koa + pg handler running the same three queries as GET /track/:code (the
 * delivery by its code, its timeline, its driver's position), with the API's pool size and no middleware.
 * `tsx bench/baselines/tracking-server.ts <port> <database url>`
 */
import Koa from 'koa';
import pg from 'pg';

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
  const { rows } = await pool.query('SELECT * FROM deliveries WHERE tracking_code = $1 LIMIT 1', [code]);
  const row = rows[0];
  if (!row) return;
  const [events, position] = await Promise.all([
    pool.query('SELECT seq, type, at, actor, data FROM delivery_events WHERE delivery_id = $1 ORDER BY seq', [row.id]),
    row.driver_id
      ? pool.query('SELECT lat, lng, location_at AS at FROM drivers WHERE id = $1 AND lat IS NOT NULL', [row.driver_id])
      : Promise.resolve({ rows: [] }),
  ]);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    trackingCode: row.tracking_code,
    status: row.status,
    eta: row.eta,
    promisedBy: row.promised_by,
    driver: row.driver_name ? { firstName: String(row.driver_name).split(' ')[0] } : null,
    driverPosition: position.rows[0] ?? null,
    timeline: events.rows.map(({ seq, type, at }) => ({ seq, type, at })),
  };
});

const server = app.listen(Number(port), '127.0.0.1');
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
