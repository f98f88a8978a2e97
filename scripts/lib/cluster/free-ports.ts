/** Every port of a cluster, free right now: for clusters started beside another (drills, tests). */
import { freePort } from '../ports.js';
import type { ClusterPorts } from './cluster.js';

export async function freeClusterPorts(): Promise<ClusterPorts> {
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
    api: [await freePort(), await freePort()],
    worker: [await freePort(), await freePort()],
    queues: [await freePort(), await freePort()],
  };
}
