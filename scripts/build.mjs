// `npm run build`: TypeScript to dist/, the workflow bundle prebuilt (dist/workflow-bundle.js, so a
// worker starts in milliseconds), and the web app (web/dist, copied to dist/web/dist where the API
// built into dist/ looks for it). `--no-web` skips the web app; `--out .data/<dir>` builds elsewhere
// (tests do; inside the repository so node_modules resolves, and only where deleting it is harmless).
import { spawnSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outAt = process.argv.indexOf('--out');
const dist = outAt > 0 ? resolve(process.argv[outAt + 1] ?? '') : join(root, 'dist');
if (dist !== join(root, 'dist') && !dist.startsWith(join(root, '.data') + '/')) {
  console.error('--out must name a folder under .data/ (it is deleted first)');
  process.exit(2);
}
const withWeb = !process.argv.includes('--no-web');

function run(step, command, args) {
  console.log(`▶ ${step}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build failed at: ${step}`);
    process.exit(1);
  }
}

const started = Date.now();
await rm(dist, { recursive: true, force: true });
run('typescript', 'npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', dist]);

console.log('▶ workflow bundle');
const { bundleWorkflows } = await import('./bundle-workflows.mjs');
const code = await bundleWorkflows(join(dist, 'workflows', 'index.js'));
await writeFile(join(dist, 'workflow-bundle.js'), code);
console.log(`  ${join(dist, 'workflow-bundle.js')} (${(code.length / 1024 / 1024).toFixed(2)} MiB)`);

if (withWeb && existsSync(join(root, 'web', 'vite.config.ts'))) {
  run('web', 'npm', ['run', '--silent', 'build:web']);
  await mkdir(join(dist, 'web'), { recursive: true });
  await cp(join(root, 'web', 'dist'), join(dist, 'web', 'dist'), { recursive: true });
  console.log(`  ${dist}/web/dist`);
}
console.log(`built ${dist} in ${((Date.now() - started) / 1000).toFixed(1)} s — run it with: npm run start:prod`);
