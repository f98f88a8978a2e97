/** A whole cluster's ports, each free on 127.0.0.1 now: for tests, benchmarks and `npm run slo`. */
import { freePort } from '../ports.js';
import type { ClusterPorts } from './cluster.js';

async function some(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort());
  return ports;
}

export async function freeClusterPorts(replicas: { api?: number; worker?: number; queues?: number } = {}): Promise<ClusterPorts> {
  const four = async () => ({ frontend: await freePort(), history: await freePort(), matching: await freePort(), worker: await freePort() });
  return {
    https: await freePort(),
    prometheus: await freePort(),
    alertmanager: await freePort(),
    ui: await freePort(),
    temporal: { frontend: await freePort(), frontendHttp: await freePort(), history: await freePort(), matching: await freePort(), worker: await freePort(), membership: await four(), metrics: await four() },
    api: await some(replicas.api ?? 2),
    worker: await some(replicas.worker ?? 2),
    queues: await some(replicas.queues ?? 2),
  };
}
