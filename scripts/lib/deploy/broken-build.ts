/**
 * `npm run deploy:broken-build -- <replay|health> --from <build> --out .data/<dir>`: a copy of a build,
 * broken on purpose, to see the deploy refuse or roll it back (docs/DEPLOYMENT.md):
 * - replay: its workflow bundle starts every delivery with a one-second timer, a change without
 *   patched(); every recorded history diverges at its first command, so the replay gate refuses it;
 * - health: its entrypoint throws on start, as a build missing a module would; the first process
 *   replaced never becomes healthy, so the deploy rolls it back.
 * Nothing of this is in the platform's code: only the copy is changed.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows } from '../../bundle-workflows.mjs';
import { isBuild } from '../cluster/control.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const INCOMPATIBLE_INDEX = `// Broken on purpose (scripts/lib/deploy/broken-build.ts): a timer before the first command, unguarded.
import { sleep } from '@temporalio/workflow';
import { deliveryWorkflow as released } from './index.js';
export * from './index.js';
export async function deliveryWorkflow(...args) {
  await sleep(1000);
  return released(...args);
}
`;

const FAILING_ENTRY = `// Broken on purpose (scripts/lib/deploy/broken-build.ts): this build cannot start.
throw new Error('this build is broken on purpose: its health check must fail and the deploy roll it back');
`;

/** A copy of a build in a folder of its own under .data/ (replaced if there). */
export async function copyBuild(from: string, out: string): Promise<string> {
  if (!isBuild(from)) throw new Error(`${from} is not an \`npm run build\` output folder`);
  if (!out.startsWith(path.join(root, '.data') + path.sep)) throw new Error('--out must be a folder under .data/ (it is replaced)');
  await rm(out, { recursive: true, force: true });
  await mkdir(path.dirname(out), { recursive: true });
  await cp(from, out, { recursive: true });
  return out;
}

export async function makeBrokenBuild(kind: 'replay' | 'health', from: string, out: string): Promise<string> {
  await copyBuild(from, out);
  if (kind === 'health') {
    await writeFile(path.join(out, 'scripts', 'start-prod.js'), FAILING_ENTRY);
  } else {
    const index = path.join(out, 'workflows', 'incompatible-index.js');
    await writeFile(index, INCOMPATIBLE_INDEX);
    await writeFile(path.join(out, 'workflow-bundle.js'), await bundleWorkflows(index));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [kind] = process.argv.slice(2);
  const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const from = path.resolve(option('--from') ?? path.join(root, 'dist'));
  const out = path.resolve(option('--out') ?? path.join(root, '.data', `broken-${kind}-build`));
  if (kind !== 'replay' && kind !== 'health') {
    console.error('usage: npm run deploy:broken-build -- <replay|health> [--from <build>] [--out .data/<dir>]');
    process.exit(2);
  }
  console.log(`${await makeBrokenBuild(kind, from, out)}: broken for the ${kind === 'replay' ? 'replay gate' : 'health check'}`);
}
