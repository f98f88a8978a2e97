/**
 * What both modes of `npm run images:smoke` check about a running container of the image: that it is
 * healthy by compose's health check, runs as the unprivileged `node` user, how much memory it holds,
 * and how it ended after SIGTERM.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { environmentArgs, podman } from './lib/cluster/containers.js';
import { waitFor } from './lib/poll.js';

export { podman };
const run = promisify(execFile);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
export const IMAGE = `localhost/logistics-platform:${version}`;
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
  console.log(`  ✓ ${message}`);
}


/** The image's size in bytes; fails plainly when `npm run images` has not built it. */
export async function imageSize(): Promise<number> {
  if (spawnSync('podman', ['image', 'exists', IMAGE]).status !== 0) throw new Error(`${IMAGE} is missing: run npm run images first`);
  return Number(await podman('image', 'inspect', IMAGE, '--format', '{{.Size}}'));
}

/** Resident memory of every process in a container (tini and node), read from the host's /proc. */
export async function residentMiB(container: string): Promise<number> {
  const pids = [await podman('inspect', '--format', '{{.State.Pid}}', container)];
  for (let i = 0; i < pids.length; i++) {
    const children = spawnSync('sh', ['-c', `cat /proc/${pids[i]}/task/*/children 2>/dev/null`], { encoding: 'utf8' }).stdout;
    pids.push(...children.split(/\s+/).filter(Boolean));
  }
  let kib = 0;
  for (const pid of pids) kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kib / 1024;
}

/** Waits until the container's health check (compose's, given at `podman run`) passes. */
export async function healthy(container: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(`${container} healthy`, async () => spawnSync('podman', ['healthcheck', 'run', container]).status === 0, { timeoutMs });
}

export async function checkUnprivileged(container: string): Promise<void> {
  const uid = await podman('exec', container, 'id', '-u');
  const user = await podman('exec', container, 'id', '-un');
  check(uid === '1000' && user === 'node', `${container} runs as ${user} (uid ${uid}), not root`);
}

/** How a stopped container ended: its exit code and its whole log. */
export async function ended(container: string): Promise<{ exitCode: string; logs: string }> {
  const exitCode = await podman('inspect', '--format', '{{.State.ExitCode}}', container);
  const { stdout, stderr } = await run('podman', ['logs', container], { maxBuffer: 32 * 1024 * 1024 });
  return { exitCode, logs: stdout + stderr };
}

/** A dispatcher account made by the image's own script (dist/scripts/create-user.js), the password on stdin. */
export function createDispatcher(env: Record<string, string>, login: { email: string; password: string }): void {
  const created = spawnSync(
    'podman',
    ['run', '--rm', '-i', '--network=host', ...environmentArgs(env), '--entrypoint', 'node', IMAGE, 'dist/scripts/create-user.js', '--email', login.email, '--name', 'Ops Dispatcher', '--role', 'dispatcher'],
    { input: login.password, encoding: 'utf8' },
  );
  check(created.status === 0, `user:create inside the image made the dispatcher${created.status === 0 ? '' : `: ${created.stderr}`}`);
}
