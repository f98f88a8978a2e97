// How a Temporal dev server is started, with the search attributes and dynamic config the delivery
// workflows need. Plain Node with no npm dependencies, because `.ci/run` needs the CLI before
// `npm install` has run. TypeScript callers (`npm start`, the tests, the benchmarks, the image smoke
// test) reach it through scripts/lib/temporal-dev.ts, which says where each kind of server keeps its data.
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTemporalCli } from './temporal-cli.mjs';

export { ensureTemporalCli } from './temporal-cli.mjs';

const deployTemporal = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'temporal');

const meaningfulLines = (text) => text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));

/** deploy/temporal/search-attributes.txt: the one list the dev server, the cluster and compose register. */
export const SEARCH_ATTRIBUTES = Object.freeze(
  Object.fromEntries(
    meaningfulLines(readFileSync(join(deployTemporal, 'search-attributes.txt'), 'utf8')).map((line) => line.split(/\s+/)),
  ),
);

/**
 * deploy/temporal/dynamicconfig.yaml as `key=value` overrides for the dev server, so it runs with the
 * settings the cluster and compose read from that file. Only its plain shape is understood: a key, then
 * `- value: <scalar>` with empty constraints.
 */
export function dynamicConfigValues(text = readFileSync(join(deployTemporal, 'dynamicconfig.yaml'), 'utf8')) {
  const values = [];
  let key;
  for (const line of meaningfulLines(text)) {
    const keyMatch = /^([\w.]+):$/.exec(line);
    const valueMatch = /^- value: (.+)$/.exec(line);
    if (keyMatch) key = keyMatch[1];
    else if (valueMatch && key) values.push(`${key}=${valueMatch[1]}`);
    else if (!/^constraints: \{\}$/.test(line)) throw new Error(`deploy/temporal/dynamicconfig.yaml: cannot read "${line}" here`);
  }
  return values;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export function isReachable(address, timeoutMs = 1000) {
  const { host, port } = splitAddress(address);
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host, port });
    const finish = (result) => {
      socket.destroy();
      resolvePromise(result);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export function splitAddress(address) {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`Expected host:port, got "${address}".`);
  return { host: match[1], port: Number(match[2]) };
}

function runCli(cliPath, args, timeoutMs = 15_000) {
  return new Promise((resolvePromise, reject) => {
    execFile(cliPath, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`temporal ${args.slice(0, 3).join(' ')} failed: ${(stderr || error.message).trim()}`));
      } else {
        resolvePromise(stdout);
      }
    });
  });
}

// The CLI lists types as INDEXED_VALUE_TYPE_KEYWORD_LIST; we name them KeywordList.
const normalizeType = (type) => type.replace(/^INDEXED_VALUE_TYPE_/, '').replaceAll('_', '').toLowerCase();

async function registerSearchAttributes({ cliPath, address, namespace = 'default' }) {
  const connection = ['--address', address, '--namespace', namespace];
  const listed = JSON.parse(
    await runCli(cliPath, ['operator', 'search-attribute', 'list', ...connection, '--output', 'json']),
  );
  const existing = { ...listed.systemAttributes, ...listed.customAttributes };
  const created = [];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    if (existing[name] === undefined) {
      await runCli(cliPath, ['operator', 'search-attribute', 'create', '--name', name, '--type', type, ...connection]);
      created.push(name);
    } else if (normalizeType(existing[name]) !== type.toLowerCase()) {
      throw new Error(
        `Search attribute ${name} exists in namespace ${namespace} as ${existing[name]}, but the workflows need ${type}.`,
      );
    }
  }
  return created;
}

async function tailOf(file, lines = 20) {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/**
 * How the dev server keeps its SQLite store: `wal` (WAL journal, no fsync: the fastest, what npm start
 * uses), `file` (SQLite's defaults), `memory` (gone at exit). A `dbFile` is needed for the first two.
 */
const SQLITE_STORES = Object.freeze({
  wal: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
  file: [],
  memory: [],
});

export async function startDevServer({
  cliPath,
  port = 7233,
  uiPort = 8233,
  dbFile,
  store = dbFile ? 'wal' : 'memory',
  // Where the server writes; by default beside the SQLite file, or in a fresh temporary folder.
  logFile,
  namespace = 'default',
  headless = false,
  // Its own process group keeps a terminal's Ctrl-C from stopping it before the workers that use it.
  detached = false,
  // Dynamic config overrides (`key=value`), e.g. a low continue-as-new threshold for tests.
  dynamicConfig = [],
  log = console.log,
} = {}) {
  const cli = cliPath ?? (await ensureTemporalCli({ log }));
  const address = `127.0.0.1:${port}`;
  if (await isReachable(address)) {
    throw new Error(`${address} is already in use (a Temporal server may already be running there).`);
  }

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort)];
  args.push('--namespace', namespace, '--log-level', 'warn');
  if (!(store in SQLITE_STORES)) throw new Error(`Unknown SQLite store "${store}"; expected ${Object.keys(SQLITE_STORES).join(', ')}.`);
  if (store !== 'memory') {
    if (!dbFile) throw new Error(`The "${store}" SQLite store needs a dbFile.`);
    const db = resolve(dbFile);
    await mkdir(dirname(db), { recursive: true });
    args.push('--db-filename', db, ...SQLITE_STORES[store]);
    logFile ??= join(dirname(db), `${basename(db, extname(db))}.log`);
  }
  logFile ??= join(await mkdtemp(join(tmpdir(), 'temporal-dev-')), 'server.log');
  if (headless) args.push('--headless');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  for (const value of [...dynamicConfigValues(), ...dynamicConfig]) args.push('--dynamic-config-value', value);

  const fd = openSync(logFile, 'a');
  const child = spawn(cli, args, { stdio: ['ignore', fd, fd], detached });
  closeSync(fd);

  const status = { exited: false, spawnError: undefined };
  const exitedPromise = new Promise((done) => {
    child.once('exit', () => {
      status.exited = true;
      done();
    });
    child.once('error', (error) => {
      status.spawnError = error;
      status.exited = true;
      done();
    });
  });
  // An orphaned dev server would keep its ports after we are gone.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (status.exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exitedPromise;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady({ cli, address, namespace, status, logFile });
    await registerSearchAttributes({ cliPath: cli, address, namespace });
  } catch (error) {
    await stop();
    throw error;
  }

  return { address, uiUrl: headless ? undefined : `http://127.0.0.1:${uiPort}`, child, logFile, stop };
}

async function waitUntilReady({ cli, address, namespace, status, logFile }) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    if (status.spawnError) throw new Error(`Could not run ${cli}: ${status.spawnError.message}`);
    if (status.exited) {
      throw new Error(`The Temporal dev server exited during startup. Last lines of ${logFile}:\n${await tailOf(logFile)}`);
    }
    if (await isReachable(address, 500)) {
      try {
        await runCli(cli, ['operator', 'namespace', 'describe', '-n', namespace, '--address', address], 5000);
        return;
      } catch (error) {
        lastError = error.message;
      }
    }
    await sleep(250);
  }
  throw new Error(
    `The Temporal dev server did not become ready on ${address} within ${READY_TIMEOUT_MS / 1000}s` +
      `${lastError ? ` (${lastError})` : ''}. Last lines of ${logFile}:\n${await tailOf(logFile)}`,
  );
}

async function main(command) {
  if (command === 'ensure') {
    console.log(await ensureTemporalCli({ log: (...parts) => console.error(...parts) }));
    return;
  }
  console.error('Usage: node scripts/temporal.mjs ensure');
  process.exitCode = 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
