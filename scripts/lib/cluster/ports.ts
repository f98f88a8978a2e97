/** A whole cluster on ports free right now, so it can run beside `npm run start:cluster` and other stacks. */
import { freePort as anyFreePort } from '../ports.js';
import type { ClusterPorts } from './cluster.js';

export async function freeClusterPorts(replicas = 2): Promise<ClusterPorts> {
  // Nothing holds a port between picks: the same one must not be picked twice.
  const taken = new Set<number>();
  const freePort = async (): Promise<number> => {
    for (;;) {
      const port = await anyFreePort();
      if (!taken.has(port)) return (taken.add(port), port);
    }
  };
  const some = async (n: number) => {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) ports.push(await freePort());
    return ports;
  };
  const four = async () => ({ frontend: await freePort(), history: await freePort(), matching: await freePort(), worker: await freePort() });
  return {
    https: await freePort(),
    prometheus: await freePort(),
    alertmanager: await freePort(),
    ui: await freePort(),
    temporal: {
      frontend: await freePort(),
      frontendHttp: await freePort(),
      history: await freePort(),
      matching: await freePort(),
      worker: await freePort(),
      membership: await four(),
      metrics: await four(),
    },
    api: await some(replicas),
    worker: await some(replicas),
    queues: await some(replicas),
  };
}
