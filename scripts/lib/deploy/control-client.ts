/** The deploy script's side of the supervisor's control socket (scripts/lib/cluster/control.ts). */
import { request } from 'node:http';
import type { ProgramView } from '../cluster/control.js';

function call<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const parsed = text ? (JSON.parse(text) as T & { error?: string }) : ({} as T & { error?: string });
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: ${parsed.error ?? res.statusCode}`));
        else resolve(parsed);
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? new Error(`no cluster answers on ${socketPath}: start it with \`npm run start:cluster\``) : error),
    );
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export const listPrograms = (socketPath: string) => call<ProgramView[]>(socketPath, 'GET', '/programs');

/** Drains the process (SIGTERM) and starts it from `build`; resolves once the new one is spawned. */
export const replaceBuild = (socketPath: string, name: string, build: string) =>
  call<ProgramView & { drainMs: number }>(socketPath, 'POST', `/programs/${name}/build`, { build });
