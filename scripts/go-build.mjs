// Builds Go programs from their modules into a per-version cache outside the repo, once per machine:
// progress instead of a thousand package names, a lock so parallel starts build once, an atomic rename
// so nobody runs a half-written binary. Plain Node with no npm dependencies (runs before `npm ci`).
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const PROGRESS_EVERY_PACKAGES = 100;
// A build that has held the lock this long is assumed dead even if its pid was reused.
const STALE_LOCK_MS = 2 * 60 * 60 * 1000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** `~/.cache/logistics-platform/<name>/<version>`, or under XDG_CACHE_HOME. */
export function cacheDir(name, version) {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'logistics-platform', name, version);
}

export async function isExecutable(file) {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function findOnPath(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = resolve(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export const findGo = () => findOnPath('go', ['/usr/local/go/bin']);

/**
 * Makes sure every one of `binaries` ({ name, install: 'module/cmd/x@version' }) is in `dir`, building
 * the missing ones with `go install`. `fallback(go, target, { log, started })` may build one another way
 * when `go install` is refused. Resolves to { name: path }.
 */
export async function ensureGoBinaries({ dir, label, binaries, log = console.log, fallback }) {
  const paths = Object.fromEntries(binaries.map(({ name }) => [name, join(dir, name)]));
  const allBuilt = async () => (await Promise.all(Object.values(paths).map(isExecutable))).every(Boolean);
  if (await allBuilt()) return paths;

  const go = await findGo();
  if (!go) {
    throw new Error(
      `${label} is not built and Go is not installed to build it. Install Go 1.25 or newer ` +
        `(https://go.dev/dl/), then re-run; it is built once into ${dir}.`,
    );
  }
  await mkdir(dir, { recursive: true });
  const release = await acquireBuildLock(join(dir, '.build.lock'), allBuilt, label, log);
  if (!release) return paths;
  try {
    const started = Date.now();
    for (const binary of binaries) {
      // Another process may have finished part of the build before we took the lock.
      if (await isExecutable(paths[binary.name])) continue;
      await buildOne(go, dir, binary, paths[binary.name], { label, log, started, fallback });
    }
    log(`${label} ready in ${dir} (${elapsed(started)}).`);
  } finally {
    await release();
  }
  return paths;
}

async function buildOne(go, dir, { install }, target, { label, log, started, fallback }) {
  // Build into a private folder and rename, so nobody ever sees a half-written binary.
  const staging = await mkdtemp(join(dir, '.build-'));
  try {
    log(`Building ${label}: ${install} with Go (once per machine; several minutes on a cold Go cache)…`);
    const built = join(staging, install.split('@')[0].split('/').pop());
    try {
      await runGo(go, ['install', '-v', install], { env: { GOBIN: staging }, log, started });
    } catch (installError) {
      if (!fallback) throw installError;
      log(`go install failed (${installError.message}); trying a local Go module instead…`);
      await fallback(go, built, { log, started });
    }
    await rename(built, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

// Resolves to a release function, or to undefined when another process finished the build meanwhile.
async function acquireBuildLock(lockFile, allBuilt, label, log) {
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
      log(`Another process${holder ? ` (pid ${holder.pid})` : ''} is building ${label}; waiting for it…`);
      announced = true;
    }
    await sleep(2000);
    if (await allBuilt()) return undefined;
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

export function elapsed(started) {
  return `${Math.round((Date.now() - started) / 1000)}s`;
}

// Streams go's output as a count instead of a thousand package names; keeps the tail for the error.
export function runGo(go, args, { cwd, env = {}, log, started }) {
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
      reject(new Error(`go ${args[0]} exited with ${signal ?? code}:\n${tail.join('\n')}`));
    });
  });
}
