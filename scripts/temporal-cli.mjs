// Finds the Temporal CLI, or builds it from its Go module once per machine. Plain Node with no npm
// dependencies, because `npm start` and `.ci/run` need it before `npm install` has run.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

// The last tag `go install` accepts; later ones carry a go.mod replace the proxy cannot serve.
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli';

const PROGRESS_EVERY_PACKAGES = 100;
// A build that has held the lock this long is assumed dead even if its pid was reused.
const STALE_LOCK_MS = 2 * 60 * 60 * 1000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'logistics-platform', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

async function isExecutable(file) {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findOnPath(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = resolve(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

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

  const dir = cacheDir();
  const cached = join(dir, 'temporal');
  if (await isExecutable(cached)) return cached;

  const go = await findOnPath('go', ['/usr/local/go/bin']);
  if (!go) {
    throw new Error(
      'No Temporal CLI found and Go is not installed to build one. Either install Go 1.25 or newer ' +
        `(https://go.dev/dl/, then re-run; the CLI is built once into ${dir}), or download a ` +
        'Temporal CLI (https://github.com/temporalio/cli/releases) and set TEMPORAL_CLI_PATH to its path.',
    );
  }

  await mkdir(dir, { recursive: true });
  const release = await acquireBuildLock(join(dir, '.build.lock'), cached, log);
  if (!release) return cached;
  try {
    // Another process may have finished its build between our check and taking the lock.
    if (!(await isExecutable(cached))) await buildCli(go, dir, cached, log);
  } finally {
    await release();
  }
  return cached;
}

// Resolves to a release function, or to undefined when another process finished the build meanwhile.
async function acquireBuildLock(lockFile, binary, log) {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: Date.now() }));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = await readLock(lockFile);
    if (holder && !holder.alive) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (!announced) {
      log(`Another process${holder ? ` (pid ${holder.pid})` : ''} is building the Temporal CLI; waiting for it…`);
      announced = true;
    }
    await sleep(2000);
    if (await isExecutable(binary)) return undefined;
  }
}

async function readLock(lockFile) {
  try {
    const { pid, startedAt } = JSON.parse(await readFile(lockFile, 'utf8'));
    return { pid, alive: processAlive(pid) && Date.now() - startedAt < STALE_LOCK_MS };
  } catch (error) {
    // A lock file still being written reads as empty JSON; treat it as held.
    if (error.code === 'ENOENT') return undefined;
    return { pid: undefined, alive: true };
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function buildCli(go, dir, target, log) {
  const started = Date.now();
  // Build into a private folder and rename, so nobody ever sees a half-written binary.
  const staging = await mkdtemp(join(dir, '.build-'));
  try {
    log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (once per machine; several minutes)…`);
    try {
      await runGo(go, ['install', '-v', `${CLI_MODULE}/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
        env: { GOBIN: staging },
        log,
        started,
      });
    } catch (installError) {
      log(`go install failed (${installError.message}); building through a local Go module instead…`);
      await buildThroughModule(go, join(staging, 'temporal'), log, started);
    }
    await rename(join(staging, 'temporal'), target);
    log(`Temporal CLI ready at ${target} (${elapsed(started)}).`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

// For when `go install pkg@version` is refused: in a module of our own the CLI's go.mod replaces do not apply.
async function buildThroughModule(go, output, log, started) {
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

function elapsed(started) {
  return `${Math.round((Date.now() - started) / 1000)}s`;
}

// Streams go's output as a count instead of a thousand package names; keeps the tail for the error.
function runGo(go, args, { cwd, env = {}, log, started }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(go, args, {
      cwd,
      env: { ...process.env, ...env, PATH: `${dirname(go)}${delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail = [];
    let downloads = 0;
    let packages = 0;
    const onLine = (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      if (line.startsWith('go: downloading ')) {
        downloads += 1;
        if (downloads % 25 === 0) log(`  downloaded ${downloads} modules (${elapsed(started)})`);
      } else if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line)) {
        packages += 1;
        if (packages % PROGRESS_EVERY_PACKAGES === 0) log(`  compiled ${packages} packages (${elapsed(started)})`);
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) {
        if (packages > 0) log(`  compiled ${packages} packages (${elapsed(started)})`);
        resolvePromise();
        return;
      }
      const error = new Error(`go ${args[0]} exited with ${signal ?? code}:\n${tail.join('\n')}`);
      reject(error);
    });
  });
}
