/** The processes `npm start` runs: spawned with tsx, their lines prefixed, stopped in order with SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);
const STOP_GRACE_MS = 20_000;

/** pino's JSON is for machines; a terminal gets `INFO message key=value`. Other lines pass unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.level !== 'number') return line;
    const extras = Object.entries(entry)
      .filter(([key]) => !HIDDEN_KEYS.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    return [LEVELS[entry.level] ?? entry.level, entry.msg ?? '', ...extras].join(' ');
  } catch {
    return line;
  }
}

export interface Service {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

let colorIndex = 0;

export function startService(name: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; pretty?: boolean }): Service {
  const color = process.stdout.isTTY ? COLORS[colorIndex++ % COLORS.length]! : '';
  const prefix = `${color}${name.padEnd(7)}|${color ? RESET : ''} `;
  // Its own process group: a terminal's Ctrl-C goes to the orchestrator, which stops services in order.
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pipe = (stream: Readable | null, out: NodeJS.WriteStream) => {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => out.write(`${prefix}${options.pretty === false ? line : formatLogLine(line)}\n`));
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      process.stderr.write(`${prefix}could not start: ${error.message}\n`);
      resolve({ code: 1, signal: null });
    });
  });
  // Never leave a service behind if the orchestrator itself dies.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    name,
    child,
    exited,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
