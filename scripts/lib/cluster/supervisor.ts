/**
 * The cluster's process supervisor: each program runs under a name that prefixes its log lines; one that
 * exits on its own is started again after a backoff that doubles up to 30 s, and is reset once it has
 * stayed up a minute. Stopping sends SIGTERM, then SIGKILL after the grace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { formatLogLine } from '../children.js';

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

export interface ProgramSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stopGraceMs?: number;
}

export interface Supervised {
  readonly name: string;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** The spec of the program now running (a replace changes it). */
  readonly spec: ProgramSpec;
  stop(): Promise<void>;
  /**
   * Stops the running program as stop() does (SIGTERM: it drains, SIGKILL after the grace), then starts
   * `next` under the same name: a rolling deploy's one step. Restarts count again from 0.
   */
  replace(next: ProgramSpec): Promise<void>;
}

export interface LogSink {
  (name: string, line: string, stream: 'out' | 'err'): void;
}

/** Lines go to the terminal prefixed with the program's name, or to a file when one is given. */
export function logSink(options: { file?: string; quiet?: boolean } = {}): LogSink & { close(): void } {
  const width = 17;
  const file: WriteStream | undefined = options.file ? createWriteStream(options.file, { flags: 'a' }) : undefined;
  const sink = ((name: string, line: string, stream: 'out' | 'err') => {
    const text = `${name.padEnd(width)}| ${formatLogLine(line)}\n`;
    if (file) file.write(text);
    if (!options.quiet) (stream === 'err' ? process.stderr : process.stdout).write(text);
  }) as LogSink & { close(): void };
  sink.close = () => file?.end();
  return sink;
}

// One exit hook for every program: never leave one behind if the supervisor itself dies.
const running = new Set<() => void>();
process.once('exit', () => {
  for (const kill of running) kill();
});

export function supervise(first: ProgramSpec, log: LogSink): Supervised {
  let spec = first;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let backoff = FIRST_BACKOFF_MS;
  let retryTimer: NodeJS.Timeout | undefined;
  let exited: Promise<void> = Promise.resolve();

  const pipe = (stream: Readable | null, kind: 'out' | 'err') => {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(spec.name, line, kind));
  };

  const launch = () => {
    const startedAt = Date.now();
    // Own process group: a terminal's Ctrl-C reaches the supervisor only, which stops programs in order.
    const current = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = current;
    pipe(current.stdout, 'out');
    pipe(current.stderr, 'err');
    exited = new Promise<void>((resolve) => {
      let ended = false;
      const onEnd = (how: string) => {
        if (ended) return;
        ended = true;
        resolve();
        if (stopping) return;
        if (Date.now() - startedAt > HEALTHY_AFTER_MS) backoff = FIRST_BACKOFF_MS;
        log(spec.name, `exited (${how}); starting it again in ${backoff / 1000} s`, 'err');
        retryTimer = setTimeout(() => {
          restarts += 1;
          launch();
        }, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      };
      current.once('exit', (code, signal) => onEnd(signal ?? `code ${code}`));
      current.once('error', (error) => onEnd(error.message));
    });
  };

  const killOnExit = () => child?.kill('SIGKILL');
  running.add(killOnExit);
  launch();

  const halt = async () => {
    stopping = true;
    clearTimeout(retryTimer);
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    current.kill('SIGTERM');
    const timer = setTimeout(() => current.kill('SIGKILL'), spec.stopGraceMs ?? 20_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    name: spec.name,
    get spec() {
      return spec;
    },
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      running.delete(killOnExit);
      await halt();
    },
    async replace(next) {
      if (next.name !== spec.name) throw new Error(`replace keeps the name: ${spec.name}, not ${next.name}`);
      await halt();
      spec = next;
      stopping = false;
      restarts = 0;
      backoff = FIRST_BACKOFF_MS;
      launch();
    },
  };
}
