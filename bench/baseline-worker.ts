/** Worker process for B1's baseline workflow: `tsx bench/baseline-worker.ts <temporal address> <task queue>`. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';

const [address, taskQueue] = process.argv.slice(2);
if (!address || !taskQueue) {
  console.error('usage: tsx bench/baseline-worker.ts <temporal address> <task queue>');
  process.exit(2);
}

const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue,
  workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'baseline-workflows.ts'),
  activities: { noop: async () => {} },
  // The delivery worker's setting (worker/delivery-worker.ts).
  maxConcurrentActivityTaskExecutions: 100,
  shutdownGraceTime: '10 seconds',
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => worker.shutdown());
await worker.run();
await connection.close();
process.exit(0);
