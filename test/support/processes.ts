/** Runs one of the project's process entry points as a child, for tests that kill and restart it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { env } from './harness.js';

export interface ChildService {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

// The tsx CLI runs the entry in a grandchild that a SIGKILL would orphan: load tsx into one node process instead.
const tsxLoader = ['--import', 'tsx'];

/** Starts `entry` (e.g. worker/temporal-worker.ts) and resolves once a line matching `ready` appears. */
export function startChild(entry: string, overrides: Record<string, string>, ready: RegExp, timeoutMs = 60_000): Promise<ChildService> {
  const child = spawn(process.execPath, [...tsxLoader, entry], {
    env: { ...process.env, ...env(), LOG_LEVEL: 'info', ...overrides },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: ChildService = {
    child,
    output: () => text,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} not ready within ${timeoutMs} ms:\n${text.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve(service);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready:\n${text.slice(-2000)}`));
    });
  });
}

/** The Temporal worker process (`npm start`'s worker), ready once it polls its task queue. */
export function startWorkerProcess(overrides: Record<string, string>, timeoutMs?: number): Promise<ChildService> {
  return startChild('worker/temporal-worker.ts', overrides, /worker running/, timeoutMs);
}
