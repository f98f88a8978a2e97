/**
 * The worker's one scrape target (WORKER_METRICS_PORT): Node process and delivery metrics from prom-client,
 * followed by the Temporal SDK's own (Core's Prometheus exporter, bound to loopback and read per scrape).
 * Also routes the SDK's log lines into pino, so every line the worker writes is JSON.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransitionHook } from '../activities/read-model.js';
import { listenOn } from '../adapters/listen.js';
import { TERMINAL_STATUSES } from '../domain/status.js';

export interface WorkerTelemetry {
  registry: Registry;
  /** Counts each committed transition (at least once: a retried activity may count twice). */
  transitionHook: TransitionHook;
  port: number;
  /** `/health` answers 200 while this worker is RUNNING. */
  watch(worker: Worker): void;
  close(): Promise<void>;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function createDeliveryMetrics(registry: Registry): TransitionHook {
  const transitions = new Counter({
    name: 'delivery_transitions_total',
    help: 'Committed delivery transitions by timeline event type and resulting status',
    labelNames: ['type', 'status'] as const,
    registers: [registry],
  });
  const alerts = new Counter({ name: 'delivery_alerts_total', help: 'Alerts raised by delivery workflows', labelNames: ['kind'] as const, registers: [registry] });
  const duration = new Histogram({
    name: 'delivery_duration_seconds',
    help: 'From quote to a terminal status, by that status',
    labelNames: ['status'] as const,
    buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400, 259_200],
    registers: [registry],
  });
  return async (record, delivery) => {
    transitions.inc({ type: record.type, status: delivery.status });
    if (record.type === 'alert') alerts.inc({ kind: String(record.data.kind ?? 'other') });
    if (TERMINAL_STATUSES.includes(delivery.status) && record.type !== 'alert') {
      const seconds = (Date.parse(record.at) - Date.parse(delivery.createdAt)) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) duration.observe({ status: delivery.status }, seconds);
    }
  };
}

/** Must run before the first NativeConnection: the SDK's runtime is configured once per process. */
export async function installWorkerTelemetry(options: { port: number; logger: Logger }): Promise<WorkerTelemetry> {
  const { logger } = options;
  const corePort = await freeLoopbackPort();
  const sdkLog = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
      const method = level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      sdkLog[method](meta ?? {}, message);
    }),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}`, useSecondsForDurations: true } } },
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const transitionHook = createDeliveryMetrics(registry);
  let watched: Worker | undefined;

  const coreMetrics = async (): Promise<string> => {
    try {
      const res = await fetch(`http://127.0.0.1:${corePort}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? await res.text() : `# temporal sdk metrics unavailable: ${res.status}\n`;
    } catch {
      return '# temporal sdk metrics unavailable\n';
    }
  };

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      Promise.all([registry.metrics(), coreMetrics()]).then(
        ([own, core]) => res.writeHead(200, { 'content-type': registry.contentType }).end(`${own}\n${core}`),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else if (req.url === '/health') {
      const state = watched?.getState() ?? 'INITIALIZED';
      res.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ state }));
    } else {
      res.writeHead(404).end();
    }
  });
  const port = await listenOn(server, options.port, 'worker metrics', 'set WORKER_METRICS_PORT to a free port (0 picks one)');
  logger.info({ port }, 'worker metrics listening');

  return {
    registry,
    transitionHook,
    port,
    watch(worker) {
      watched = worker;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
