/**
 * The three production processes as separate children: each exits 0 on SIGTERM in the middle of a
 * delivery (the API with a live socket attached), the delivery completes once they are back, and
 * /metrics on api and worker shows what happened.
 */
import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { call, createDriverAt, deliveryBody, isolatedArea, loginAs, proofFor, waitFor, waitForDelivery, type Session } from '../support/harness.js';
import { freePort } from '../support/ports.js';
import { startChild, type ChildService } from '../support/processes.js';

const metricNames = (text: string) => new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!));
const sample = (text: string, pattern: RegExp) => text.split('\n').find((l) => pattern.test(l));

describe('api, worker and queue processors as processes', () => {
  const running: ChildService[] = [];
  afterAll(async () => {
    for (const service of running) await service.kill('SIGKILL');
  });

  it('drain and exit 0 on SIGTERM mid-delivery, finish the delivery after a restart, and expose their metrics', async () => {
    const [port, workerMetrics, queueMetrics] = await Promise.all([freePort(), freePort(), freePort()]);
    // A task queue of its own, so the in-process worker of the test run cannot do this worker's job.
    const overrides = {
      PORT: String(port),
      WORKER_METRICS_PORT: String(workerMetrics),
      QUEUE_METRICS_PORT: String(queueMetrics),
      TEMPORAL_TASK_QUEUE: `deliveries-ops-${process.pid}`,
    };
    const base = `http://127.0.0.1:${port}`;
    const start = async (entry: string, ready: RegExp) => {
      const service = await startChild(entry, overrides, ready, 120_000);
      running.push(service);
      return service;
    };
    const startApi = () => start('api/server.ts', /api listening/);
    const startWorker = () => start('worker/temporal-worker.ts', /"msg":"worker running"/);
    const startQueues = () => start('worker/queue-processors.ts', /queue metrics listening/);

    let [api, worker, queues] = await Promise.all([startApi(), startWorker(), startQueues()]);
    expect((await call(base, 'GET', '/ready')).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerMetrics}/health`)).status).toBe(200);

    const area = isolatedArea();
    const [customer, dispatcher] = await loginAs(base, 'customer', 'dispatcher');
    const driver: Session = await createDriverAt(base, dispatcher, area, { name: 'Rosa Ops' });
    const milestone = (type: string, extra: Record<string, unknown> = {}) =>
      call(base, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type, ...extra } });

    const created = await call(base, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, { autoAccept: true }) });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitForDelivery(base, dispatcher.token, id, (d) => d.offer?.driverId === driver.user.driverId);
    expect((await milestone('accept_offer')).body.status).toBe('ASSIGNED');

    // Worker: SIGTERM while it holds the workflow in its cache, then a new one carries on.
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(worker.output()).toContain('worker stopped');
    worker = await startWorker();
    expect((await milestone('arrived_pickup')).body.status).toBe('AT_PICKUP');

    // API: SIGTERM with a dispatcher's socket attached; the socket is closed and the process exits 0.
    const socket = io(base, { auth: { token: dispatcher.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    expect(await api.kill('SIGTERM')).toBe(0);
    expect(await disconnected).toBeTruthy();
    await expect(fetch(`${base}/health`)).rejects.toThrow();

    expect(await queues.kill('SIGTERM')).toBe(0);
    [api, queues] = await Promise.all([startApi(), startQueues()]);

    expect((await milestone('picked_up', { proof: { recipientName: 'Pat Baker' } })).body.status).toBe('IN_TRANSIT');
    expect((await milestone('arrived_dropoff')).body.status).toBe('AT_DROPOFF');
    expect((await milestone('delivered', proofFor('delivered'))).body.status).toBe('DELIVERED');
    const final = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token: customer.token });
    expect(final.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'quoted', 'quote_accepted', 'offer_sent', 'assigned', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered',
    ]);

    // API metrics: process defaults, RED by route pattern, the read model by status, live sockets.
    const apiText = await (await fetch(`${base}/metrics`)).text();
    const apiNames = metricNames(apiText);
    for (const name of ['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'http_requests_total', 'http_request_duration_seconds_bucket', 'deliveries_by_status', 'socketio_connected_clients']) {
      expect(apiNames, name).toContain(name);
    }
    expect(sample(apiText, /^http_requests_total\{method="POST",route="\/api\/v1\/deliveries\/:id\/milestones",status="200"\} [1-9]/)).toBeTruthy();
    expect(sample(apiText, /^deliveries_by_status\{status="DELIVERED"\} [1-9]/)).toBeTruthy();

    // Worker metrics: its own delivery counters and the Temporal SDK's, in one scrape.
    const workerText = await waitFor('the delivered transition in worker metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${workerMetrics}/metrics`)).text();
      return sample(text, /^delivery_transitions_total\{type="delivered",status="DELIVERED"\} 1/) ? text : null;
    });
    const workerNames = metricNames(workerText);
    for (const name of ['nodejs_heap_size_used_bytes', 'delivery_duration_seconds_bucket', 'temporal_workflow_task_execution_latency_bucket', 'temporal_worker_task_slots_available', 'temporal_request']) {
      expect(workerNames, name).toContain(name);
    }
    expect(sample(workerText, /^delivery_duration_seconds_count\{status="DELIVERED"\} 1/)).toBeTruthy();

    // Queue processors: depth gauges read from Redis on the scrape.
    const queueText = await (await fetch(`http://127.0.0.1:${queueMetrics}/metrics`)).text();
    expect(metricNames(queueText)).toContain('queue_jobs');

    for (const service of [api, worker, queues]) expect(await service.kill('SIGTERM')).toBe(0);
  }, 300_000);
});
