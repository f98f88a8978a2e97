/**
 * Is the new process of a rolling deploy serving? api: its own /ready answers 200 from this very pid.
 * worker: its metrics answer and Temporal lists this pid among the task queue's pollers (a worker that
 * cannot poll is not serving, whatever its metrics say). queues: its metrics answer.
 */
import { Connection } from '@temporalio/client';
import type { ProgramView } from '../cluster/control.js';

// temporal.api.enums.v1.TaskQueueType
const TASK_QUEUE_TYPE_ACTIVITY = 2;

export interface HealthTarget {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
}

async function answers(url: string): Promise<{ ok: boolean; body: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { ok: res.ok, body: await res.text() };
  } catch {
    return { ok: false, body: '' };
  }
}

async function polling(target: HealthTarget, pid: number): Promise<boolean> {
  const connection = await Connection.connect({ address: target.temporalAddress, connectTimeout: '3s' });
  try {
    const described = await connection.workflowService.describeTaskQueue({
      namespace: target.namespace,
      taskQueue: { name: target.taskQueue },
      taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
    });
    // The SDK's default identity is `<pid>@<host>`.
    return (described.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
  } finally {
    await connection.close();
  }
}

export async function isServing(program: ProgramView, target: HealthTarget): Promise<boolean> {
  if (program.pid === undefined) return false;
  if (program.service === 'api') {
    const ready = await answers(`http://127.0.0.1:${program.port}/ready`);
    if (!ready.ok) return false;
    return (JSON.parse(ready.body) as { instance?: string }).instance?.endsWith(`:${program.pid}`) ?? false;
  }
  if (!(await answers(`http://127.0.0.1:${program.port}/metrics`)).ok) return false;
  return program.service === 'worker' ? polling(target, program.pid).catch(() => false) : true;
}
