/** Socket helpers for the real-time tests: raw typed sockets that record what they receive, and delivery steps. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../domain/events.js';
import { env, waitFor } from '../support/harness.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export interface Received {
  event: keyof ServerToClientEvents;
  args: any[];
}

export interface RecordingSocket {
  socket: ClientSocket;
  received: Received[];
  /** Resolves 'connected' or the refusal's message; never both. */
  outcome: Promise<string>;
  of(event: keyof ServerToClientEvents): any[][];
}

const open: ClientSocket[] = [];

export function openSocket(
  url: string,
  auth: Record<string, unknown>,
  options: { origin?: string; transports?: ('websocket' | 'polling')[]; reconnection?: boolean } = {},
): RecordingSocket {
  const socket: ClientSocket = io(url, {
    auth,
    transports: options.transports ?? ['websocket'],
    reconnection: options.reconnection ?? false,
    forceNew: true,
    ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
  });
  open.push(socket);
  const received: Received[] = [];
  socket.onAny((event: keyof ServerToClientEvents, ...args: any[]) => received.push({ event, args }));
  const outcome = new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
  return { socket, received, outcome, of: (event) => received.filter((r) => r.event === event).map((r) => r.args) };
}

export async function connected(url: string, auth: Record<string, unknown>): Promise<RecordingSocket> {
  const s = openSocket(url, auth);
  expect(await s.outcome).toBe('connected');
  return s;
}

export function closeSockets(): void {
  for (const s of open.splice(0)) s.disconnect();
}

// The steps of a delivery live in test/support/flow.ts; these names stay for the suites that import them from here.
export { acceptQuote, requestQuote as book, expectMilestone as step, takeOffer } from '../support/flow.js';

/** The value of one Prometheus gauge without labels. */
export async function gauge(base: string, name: string): Promise<number> {
  const res = await fetch(`${base}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} not in /metrics`);
  return Number(line.split(' ')[1]);
}

export function waitUntil(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<true> {
  return waitFor(what, async () => probe() || undefined, timeoutMs, 50);
}

export interface ApiProcess {
  url: string;
  /** SIGKILL by default: the instance dies without closing its sockets. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** An API instance in its own process (`api/server.ts`, as production runs it) on a given port. */
export async function startApiProcess(port: number): Promise<ApiProcess> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    cwd: root,
    env: { ...process.env, ...env(), PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`api process on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`api process exited with ${child.exitCode}`);
    return (await fetch(`${url}/health`)).ok;
  }, 30_000);
  return {
    url,
    async stop(signal = 'SIGKILL') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}
