import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { call, startTestApi } from '../support/harness.js';
import { freePort } from '../support/ports.js';

describe('readiness with a dependency down', () => {
  it('answers /ready 503 naming redis when Redis is unreachable, and keeps serving', async () => {
    const api = await startTestApi({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      const ready = await call(api.url, 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ database: 'up', redis: 'down', temporal: 'up' });
      // The API runs in this test's process: the answer names it.
      expect(ready.body.instance).toBe(`${hostname()}:${process.pid}`);
      expect((await call(api.url, 'GET', '/health')).status).toBe(200);
      // The alert rules read the same verdict from /metrics (deploy/prometheus/alerts.yml: RedisDown).
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/^dependency_up\{dependency="redis"\} 0$/m);
      expect(metrics).toMatch(/^dependency_up\{dependency="database"\} 1$/m);
      expect(metrics).toMatch(/^dependency_up\{dependency="temporal"\} 1$/m);
      // Public reads do not need Redis: the rate limiter falls back to memory.
      expect((await call(api.url, 'GET', '/api/v1/track/0000000000000000')).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it('refuses to start when the Temporal server is unreachable', async () => {
    const port = await freePort();
    await expect(startTestApi({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` })).rejects.toThrow();
  });
});
