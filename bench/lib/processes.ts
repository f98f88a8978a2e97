/** Child processes under test: `node --import tsx <entry>`, so the pid is the Node process itself (B7 reads its RSS). */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Children still running: killed if the bench exits without stopping them (one listener for all of them). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startService(
  name: string,
  entry: string,
  options: { env: Record<string, string>; args?: string[]; nodeArgs?: string[] },
): Service {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(root, entry), ...(options.args ?? [])], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const kill = () => child.kill('SIGKILL');
  return {
    name,
    child,
    pid: child.pid!,
    output: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT as well as SIGTERM ends every entry point here; --cpu-prof writes its profile on a clean exit.
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `probe` holds; rejects early with the child's output if it exits first. */
export async function waitUntil(service: Service, what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited before ${what}:\n${service.output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${service.name}: no ${what} within ${timeoutMs / 1000} s:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resident set size of a process in MB, from /proc (Linux). */
export async function rssMb(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/**
 * RSS once a process has gone quiet: V8 collects and returns pages some seconds after allocation stops,
 * so one reading just after a burst can catch garbage not yet collected. Reads every second until two
 * readings in a row are within 1 % of each other (or `maxSeconds` pass) and gives the last, with the peak.
 */
export async function settledRssMb(pid: number, maxSeconds = 20): Promise<{ rss: number; peak: number; seconds: number }> {
  let last = await rssMb(pid);
  for (let seconds = 1; seconds <= maxSeconds; seconds += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await rssMb(pid);
    if (Math.abs(now.rss - last.rss) <= last.rss / 100) return { ...now, seconds };
    last = now;
  }
  return { ...last, seconds: maxSeconds };
}

/** CPU time a process has used so far (user + system), in seconds, from /proc (Linux; 100 ticks a second). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU time (seconds) these processes have used so far, together; one that has gone counts 0. */
export async function backendsCpuSeconds(pids: number[]): Promise<number> {
  const each = await Promise.all(pids.map((pid) => cpuSeconds(pid).catch(() => 0)));
  return each.reduce((a, b) => a + b, 0);
}
