/**
 * The supervisor's control socket (`<dataDir>/control.sock`, a Unix socket: only this machine's users
 * with access to the data folder reach it). `npm run deploy` uses it to learn which build each app
 * process runs and to replace one process with another build; nothing else can be done through it.
 *
 *   GET  /programs                        the app processes: name, service, pid, restarts, build, port
 *   POST /programs/<name>/build {build}   SIGTERM (drain), then start <name> from that build folder
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import type { AppService } from './app-processes.js';
import type { ProgramSpec, Supervised } from './supervisor.js';

export interface AppProgram {
  program: Supervised;
  service: Exclude<AppService, 'migrate'>;
  /** The port its health is read on: /ready for api, /metrics for worker and queues. */
  port: number;
  build: string;
  specFor(build: string): ProgramSpec;
}

export interface ProgramView {
  name: string;
  service: AppProgram['service'];
  pid: number | undefined;
  restarts: number;
  build: string;
  port: number;
}

export const view = (app: AppProgram): ProgramView => ({ name: app.program.name, service: app.service, pid: app.program.pid, restarts: app.program.restarts, build: app.build, port: app.port });

/** A build folder is what `npm run build` writes: the entrypoint and the prebuilt workflow bundle. */
export function isBuild(dir: string): boolean {
  return path.isAbsolute(dir) && existsSync(path.join(dir, 'scripts', 'start-prod.js')) && existsSync(path.join(dir, 'workflow-bundle.js'));
}

async function body(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : {};
}

export async function startControl(socketPath: string, apps: AppProgram[]): Promise<Server> {
  // A socket file left by a supervisor that was killed would refuse the listen.
  await rm(socketPath, { force: true });
  const server = createServer((req, res) => {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const handle = async () => {
      if (req.method === 'GET' && req.url === '/programs') return reply(200, apps.map(view));
      const replace = /^\/programs\/([a-z0-9-]+)\/build$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !replace) return reply(404, { error: 'GET /programs or POST /programs/<name>/build' });
      const app = apps.find((a) => a.program.name === replace[1]);
      if (!app) return reply(404, { error: `no app process named ${replace[1]}` });
      const { build } = (await body(req)) as { build?: unknown };
      if (typeof build !== 'string' || !isBuild(build)) return reply(400, { error: 'build must be the absolute path of an `npm run build` output folder' });
      const started = Date.now();
      await app.program.replace(app.specFor(build));
      app.build = build;
      return reply(200, { ...view(app), drainMs: Date.now() - started });
    };
    handle().catch((error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return server;
}
