// `npm test`: lint (Svelte included), typecheck (server and web), then vitest with a JSON report for
// `.ci/run`. `--faults` runs only the fault-injection project; any other arguments go to vitest.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';

const args = process.argv.slice(2);
const faults = args.includes('--faults');
// `--cluster`: only the production-topology project (Temporal cluster, replicas, nginx).
const cluster = args.includes('--cluster');
const REPORT = faults ? 'test-results/vitest-faults.json' : cluster ? 'test-results/vitest-cluster.json' : 'test-results/vitest.json';
const vitestArgs = args.filter((arg) => arg !== '--faults' && arg !== '--cluster');
const picksProject = vitestArgs.some((arg) => arg === '--project' || arg.startsWith('--project='));
const projects = faults ? ['--project', 'faults'] : cluster ? ['--project', 'cluster'] : picksProject ? [] : ['--project', 'unit', '--project', 'integration'];

const steps = [
  ...(faults || cluster
    ? []
    : [
        ['lint', ['eslint', '.']],
        ['typecheck', ['tsc', '--noEmit']],
        // The Svelte components are outside tsc's reach; svelte-check type-checks them against web/tsconfig.json.
        ['typecheck web', ['svelte-check', '--tsconfig', 'web/tsconfig.json', '--fail-on-warnings']],
      ]),
  [
    'vitest',
    ['vitest', 'run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...vitestArgs],
  ],
];

function run(command) {
  return new Promise((resolve) => {
    const child = spawn('npx', command, { stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(error.message);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(signal ? 1 : code));
  });
}

// A report left from an earlier run must not stand in for this one.
await rm(REPORT, { force: true });

const failed = [];
for (const [name, command] of steps) {
  console.log(`\n▶ ${name}: npx ${command.join(' ')}`);
  if ((await run(command)) !== 0) failed.push(name);
}

if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nlint, typecheck and tests passed');
