/** Runs `npm run deploy` (scripts/deploy.ts) against the cluster of the `cluster` test project. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { env } from './harness.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

/** A build copy's folder in the cluster's data folder: under .data/ (node_modules resolves), removed with the cluster. */
export const scratchBuildDir = (name: string) => path.join(env().DATA_DIR!, 'builds', name);

export interface DeployRun {
  exitCode: number;
  output: string;
  result: Record<string, any>;
}

export async function deploy(build: string, ...extra: string[]): Promise<DeployRun> {
  const args = ['--import', 'tsx', 'scripts/deploy.ts', '--build', build, '--control', env().CONTROL_SOCKET!, '--app', env().APP_URL!, '--temporal', env().TEMPORAL_ADDRESS!, ...extra];
  const childEnv = { ...process.env, DEMO_PASSWORD: env().DEMO_PASSWORD };
  const finished = await run(process.execPath, args, { cwd: root, env: childEnv, maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => ({ exitCode: 0, output: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ exitCode: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  const line = finished.output.split('\n').find((l) => l.startsWith('deploy-result '));
  return { ...finished, result: line ? JSON.parse(line.slice('deploy-result '.length)) : {} };
}

export function summary(run: DeployRun): string {
  return run.output.split('\n').filter((l) => l.startsWith('deploy ')).join('\n');
}
