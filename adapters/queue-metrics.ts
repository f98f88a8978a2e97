/** Prometheus gauges of the notification and webhook queues, for the API's and the processors' /metrics. */
import { Gauge, type Registry } from 'prom-client';
import type { QueueProducer } from './queue-producer.js';

/** Depth per state and age of the oldest waiting job, read from Redis on each scrape. */
export function registerQueueMetrics(registry: Registry, producer: QueueProducer): void {
  let pending: Promise<void> | undefined;
  // One Redis read serves all three gauges of a scrape.
  const collect = () => (pending ??= refresh().finally(() => setTimeout(() => (pending = undefined), 100)));

  const jobs = new Gauge({ name: 'queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'] as const, registers: [registry], collect });
  const oldest = new Gauge({ name: 'queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job', labelNames: ['queue'] as const, registers: [registry], collect });
  const up = new Gauge({ name: 'queue_redis_up', help: '1 when the queues could be read', registers: [registry], collect });

  async function refresh(): Promise<void> {
    try {
      const [counts, ages] = await Promise.all([producer.jobCounts(), producer.oldestWaitingAgeSeconds()]);
      jobs.reset();
      for (const [queue, byState] of Object.entries(counts)) for (const [state, n] of Object.entries(byState)) jobs.set({ queue, state }, n);
      for (const [queue, age] of Object.entries(ages)) oldest.set({ queue }, age);
      up.set(1);
    } catch {
      // Stale numbers would look healthy: show none, and say why.
      jobs.reset();
      oldest.reset();
      up.set(0);
    }
  }
}
