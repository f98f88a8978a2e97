// Finds the Temporal CLI, or builds it from its Go module once per machine. Plain Node with no npm
// dependencies, because `npm start` and `.ci/run` need it before `npm install` has run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cacheDir, ensureGoBinaries, findOnPath, isExecutable, runGo } from './go-build.mjs';

// The last tag `go install` accepts; later ones carry a go.mod replace the proxy cannot serve.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli';

export async function ensureTemporalCli({ log = console.log } = {}) {
  const override = process.env.TEMPORAL_CLI_PATH;
  if (override) {
    const file = resolve(override);
    if (!(await isExecutable(file))) {
      throw new Error(`TEMPORAL_CLI_PATH is set to ${override}, which is not an executable file.`);
    }
    return file;
  }

  const onPath = await findOnPath('temporal');
  if (onPath) return onPath;

  const dir = cacheDir('temporal-cli', TEMPORAL_CLI_VERSION);
  try {
    const { temporal } = await ensureGoBinaries({
      dir,
      label: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
      binaries: [{ name: 'temporal', install: `${CLI_MODULE}/cmd/temporal@${TEMPORAL_CLI_VERSION}` }],
      log,
      fallback: buildThroughModule,
    });
    return temporal;
  } catch (error) {
    if (!/Go is not installed/.test(error.message)) throw error;
    throw new Error(
      `${error.message} Or download a Temporal CLI (https://github.com/temporalio/cli/releases) and set ` +
        'TEMPORAL_CLI_PATH to its path.',
      { cause: error },
    );
  }
}

// For when `go install pkg@version` is refused: in a module of our own the CLI's go.mod replaces do not apply.
async function buildThroughModule(go, output, { log, started }) {
  const moduleDir = await mkdtemp(join(tmpdir(), 'temporal-cli-build-'));
  try {
    await writeFile(
      join(moduleDir, 'go.mod'),
      `module logistics-platform/temporal-cli\n\ngo 1.25\n\nrequire ${CLI_MODULE} ${TEMPORAL_CLI_VERSION}\n`,
    );
    await runGo(go, ['get', `${CLI_MODULE}/cmd/temporal@${TEMPORAL_CLI_VERSION}`], { cwd: moduleDir, log, started });
    await runGo(go, ['build', '-v', '-o', output, `${CLI_MODULE}/cmd/temporal`], { cwd: moduleDir, log, started });
  } finally {
    await rm(moduleDir, { recursive: true, force: true });
  }
}
