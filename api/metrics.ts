/** Prometheus metrics of the API process: defaults, HTTP RED, and live connections. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const sockets = new Gauge({ name: 'socketio_connected_clients', help: 'Connected Socket.IO clients', registers: [registry] });
  const deliveriesByStatus = new Gauge({
    name: 'deliveries_by_status',
    help: 'Deliveries in the read model by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  // The alert rules' view of Postgres, Redis and Temporal as each API replica reaches them.
  const dependencyUp = new Gauge({
    name: 'dependency_up',
    help: '1 when the dependency answered the probe run on this scrape, 0 when not (database, redis, temporal)',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const socketAbuse = new Counter({ name: 'socketio_abuse_disconnects_total', help: 'Sockets disconnected for flooding delivery:subscribe', registers: [registry] });
  // A blip shorter than a scrape never shows in dependency_up; a reconnect always counts here.
  const redisReconnects = new Counter({ name: 'redis_reconnects_total', help: 'Times a Redis connection of this process was lost and is being reopened', registers: [registry] });
  const databaseConnectionsLost = new Counter({ name: 'database_connections_lost_total', help: 'Idle Postgres connections of this process that broke (a restart or failover of Postgres)', registers: [registry] });
  return { registry, requests, duration, sockets, deliveriesByStatus, dependencyUp, socketAbuse, redisReconnects, databaseConnectionsLost };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
