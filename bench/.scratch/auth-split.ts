import { Redis } from 'ioredis';
import { AuthService } from '../../api/auth/auth-service.js';
import { userFromToken } from '../../api/auth/middleware.js';
import { TokenService } from '../../api/auth/tokens.js';
import { consume, createRateLimits } from '../../api/rate-limits.js';
import { createSequelize } from '../../db/connection.js';
import { initModels } from '../../db/models.js';
import { DEMO_PASSWORD, prepareDatabase } from '../lib/env.js';

const db = await prepareDatabase();
const sequelize = createSequelize(db.url);
initModels(sequelize);
const redis = new Redis('redis://127.0.0.1:6379');
const tokens = new TokenService({ secret: 'bench-secret-0123456789abcdef0123456789abcdef', issuer: 'logistics-platform', accessTtlSeconds: 900 });
const auth = new AuthService({ sequelize, tokens, refreshTtlSeconds: 3600 } as any);
const limits = createRateLimits(redis, 'lpbsplit', 10_000_000, 60);
const user = await auth.checkCredentials('driver1@example.com', DEMO_PASSWORD);
const session: any = await auth.startSession(user!);
const token: string = session.accessToken;
const claims = await tokens.verifyAccessToken(token);
async function bench(name: string, fn: () => Promise<unknown>, n = 20000, conc = 50) {
  let i = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { while (i++ < n) await fn(); }));
  const ms = performance.now() - t;
  console.log(name.padEnd(34), String(Math.round((n / ms) * 1000)).padStart(7), '/s', ((ms * 1000) / n).toFixed(0).padStart(5), 'µs each (wall, 50 at once)');
}
for (let r = 0; r < 2; r++) {
  await bench('jwt verify', () => tokens.verifyAccessToken(token));
  await bench('session query (activeUser)', () => auth.activeUser(claims.sub, claims.sid));
  await bench('limiter consume (Redis)', () => consume(limits.general, claims.sub));
  await bench('userFromToken (jwt + session)', () => userFromToken(token, tokens, auth));
}
await sequelize.close();
redis.disconnect();
await db.drop();
