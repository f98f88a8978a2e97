/**
 * The cluster's platform processes as containers of the image `npm run images` builds, run by podman on
 * the host's network (the cluster's Temporal, Postgres and Redis listen on loopback). Each container
 * gets what the native process gets, compose's command and environment, and the health check compose
 * gives its service, pointed at the replica's own port: replicas share the host's ports, so each
 * listens where the cluster told it rather than on the image's default.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AppProcessPlan } from './app-processes.js';
import type { AppLauncher } from './cluster.js';
import { supervise, type LogSink } from './supervisor.js';

const run = promisify(execFile);
const PORT_KEYS = ['PORT', 'WORKER_METRICS_PORT', 'QUEUE_METRICS_PORT'] as const;

export interface ContainerLauncher extends AppLauncher {
  /** The container that runs the process named `name` (`api-1`, `worker-2`, …). */
  container(name: string): string;
  /** Every long-running process started so far, by name. */
  readonly started: ReadonlyMap<string, AppProcessPlan>;
  /** Removes every container this launcher made, running or not. */
  removeAll(): Promise<void>;
}

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { maxBuffer: 32 * 1024 * 1024 });
  return stdout.trim();
}

/** The image's own environment (Dockerfile ENV): its default ports among it. */
async function imageEnvironment(image: string): Promise<Record<string, string>> {
  const env = JSON.parse(await podman('image', 'inspect', image, '--format', '{{json .Config.Env}}')) as string[];
  return Object.fromEntries(env.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** Compose's health check, its URL moved from the image's default port to the one this replica listens on. */
export function replicaHealthcheck(plan: AppProcessPlan, imageEnv: Record<string, string>): string[] | undefined {
  return plan.healthcheck?.map((arg) => {
    let moved = arg;
    for (const key of PORT_KEYS) {
      const own = plan.env[key];
      const preset = imageEnv[key];
      if (own && own !== '0' && preset) moved = moved.replace(`127.0.0.1:${preset}/`, `127.0.0.1:${own}/`);
    }
    return moved;
  });
}

export function environmentArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
}

export async function containerLauncher(options: { image: string; prefix: string; sink: LogSink }): Promise<ContainerLauncher> {
  const imageEnv = await imageEnvironment(options.image);
  const started = new Map<string, AppProcessPlan>();
  const container = (name: string) => `${options.prefix}-${name}`;
  return {
    started,
    container,
    async runOnce(plan) {
      await podman('run', '--rm', '--network=host', '--name', container(plan.name), ...environmentArgs(plan.env), options.image, ...plan.command);
    },
    start(plan, stopGraceMs) {
      started.set(plan.name, plan);
      const health = replicaHealthcheck(plan, imageEnv);
      // Attached, so the log lines reach the supervisor, and its SIGTERM reaches the container (podman's
      // signal proxy) as `podman stop` would send it. Not --rm: the exit code stays readable after a stop.
      const args = [
        'run', '--replace', '--network=host', '--name', container(plan.name), '--stop-timeout', String(Math.ceil(stopGraceMs / 1000)),
        ...(health ? ['--health-cmd', JSON.stringify(health), '--health-interval', 'disable'] : []),
        ...environmentArgs(plan.env), options.image, ...plan.command,
      ];
      return supervise({ name: plan.name, command: 'podman', args, stopGraceMs: stopGraceMs + 10_000 }, options.sink);
    },
    async removeAll() {
      const names = (await podman('ps', '-a', '--filter', `name=^${options.prefix}-`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
      if (names.length) await podman('rm', '-f', ...names);
    },
  };
}
