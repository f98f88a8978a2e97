// `npm start`: installs dependencies on a fresh checkout, then hands over to scripts/start.ts. Plain Node
// with no npm dependencies, because it runs before `npm ci` has.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

if (!existsSync(join(root, 'node_modules', 'tsx'))) {
  console.log('Installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (installed.status !== 0) {
    console.error('npm ci failed: see the output above (Node 20.19 or newer and access to the npm registry are needed).');
    process.exit(1);
  }
}

const nodeArgs = ['--import', 'tsx'];
// Values already in the environment win over the file's.
if (existsSync(join(root, '.env'))) nodeArgs.push(`--env-file=${join(root, '.env')}`);

// `npm run start:cluster` comes here as `start.mjs cluster`: same install step, then the cluster.
const [target, rest] = process.argv[2] === 'cluster' ? ['start-cluster.ts', process.argv.slice(3)] : ['start.ts', process.argv.slice(2)];
const child = spawn(process.execPath, [...nodeArgs, join(root, 'scripts', target), ...rest], {
  cwd: root,
  stdio: 'inherit',
});

// A terminal's Ctrl-C reaches the child too; start.ts ignores the repeat.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  console.error(`could not run scripts/${target}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
