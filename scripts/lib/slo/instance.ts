/**
 * The cluster a reliability run owns: `npm run start:cluster`'s topology on free ports, scratch databases,
 * a Redis of its own (so restarting it disturbs nobody else on the machine, as test/faults/redis-outage
 * does) and the local Groq stub as the model, which the run can switch to answering 500.
 */
import path from 'node:path';
import { dropDatabase } from '../../../db/connection.js';
import { startGroqStub, userData, type GroqStub } from '../../../test/support/groq-stub.js';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/services.js';
import { startCluster, type Cluster, type ClusterPorts } from '../cluster/cluster.js';
import { freeClusterPorts } from '../cluster/free-ports.js';
import { logSink } from '../cluster/supervisor.js';

export interface SloInstance {
  cluster: Cluster;
  /** The checkout and the build the cluster runs, and the run's own folder. */
  root: string;
  dist: string;
  dataDir: string;
  ports: ClusterPorts;
  redis: PrivateRedis;
  groq: GroqStub;
  demoPassword: string;
  /** Groq answers every dispatch ranking with the scored order, as a healthy model would. */
  groqHealthy(): void;
  stop(): Promise<void>;
}

/** A model that keeps the order it is given: a valid answer to the dispatch ranking prompt. */
function keepScoredOrder(groq: GroqStub): void {
  groq.otherwise((request) => {
    const data = userData(request) as { candidates?: Array<{ driverId: string }> };
    if (!data?.candidates) return { status: 500, body: { error: { message: 'only dispatch ranking is scripted' } } };
    return { json: { order: data.candidates.map((c) => c.driverId), rationale: 'kept the scored order' } };
  });
}

export async function startSloInstance(options: { root: string; dist: string; dataDir: string; log: (line: string) => void; postgresUrl?: string }): Promise<SloInstance> {
  const { log } = options;
  const id = `${Date.now()}_${process.pid}`;
  const postgresUrl = (options.postgresUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '');
  const databases = { app: `logistics_slo_${id}`, temporal: `temporal_slo_${id}`, visibility: `temporal_vis_slo_${id}` };
  const demoPassword = `slo-demo-${id}`;
  const redis = await startPrivateRedis();
  const groq = await startGroqStub();
  keepScoredOrder(groq);
  const sink = logSink({ file: path.join(options.dataDir, 'cluster.log'), quiet: true });
  const ports = await freeClusterPorts();
  const cleanUp = async () => {
    sink.close();
    await redis.stop();
    await groq.close();
    for (const name of Object.values(databases)) await dropDatabase(`${postgresUrl}/${name}`).catch((err) => log(`dropping ${name}: ${String(err)}`));
  };
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      root: options.root,
      dataDir: options.dataDir,
      dist: options.dist,
      ports,
      postgresUrl,
      databases,
      redisUrl: redis.url,
      redisPrefix: 'lpslo',
      namespace: 'default',
      historyShards: 8,
      vars: { JWT_SECRET: `slo-secret-${id}-0123456789abcdef0123456789abcdef`, LOG_LEVEL: 'warn', GROQ_API_KEY: 'slo-groq-stub-key', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
      demoPassword,
      // Production's rate limits stay on: the load's users keep within them. Only the model is local.
      benchmarkEnv: { GROQ_BASE_URL: groq.url },
      log,
      sink,
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    cluster,
    root: options.root,
    dist: options.dist,
    dataDir: options.dataDir,
    ports,
    redis,
    groq,
    demoPassword,
    groqHealthy: () => keepScoredOrder(groq),
    async stop() {
      await cluster.stop();
      await cleanUp();
    },
  };
}
