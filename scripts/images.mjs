// `npm run images`: builds the project's image with podman from the Dockerfile, unchanged, where no image
// registry is reachable. Its bases are made here from Debian packages: debootstrap's bookworm minbase as
// debian:bookworm-slim, and node:<version>-bookworm-slim from it plus this machine's nodejs package.
// Tagged logistics-platform:<package.json version> (and :local, the tag docker-compose.yml runs).
// Every step says what it does; a step whose result exists is skipped (`--rebuild` redoes the bases).
// Plain Node with no npm dependencies: it runs from a fresh clone. Needs root (or sudo) for apt-get,
// debootstrap and /etc/containers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'logistics-platform', 'images');
const rebuild = process.argv.includes('--rebuild');
const SUITE = 'bookworm';
const DEBIAN_IMAGE = `docker.io/library/debian:${SUITE}-slim`;
const GLOBAL_MODULES = '/usr/lib/node_modules';
// crun fails on hybrid cgroups and the default ulimits need CAP_SYS_RESOURCE: neither holds in every
// container host, so podman is told to use runc and to leave ulimits as they are.
const ENGINE_CONFIG = '/etc/containers/containers.conf.d/50-logistics-platform.conf';
const ENGINE_SETTINGS = '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n';

const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const STEPS = 6;
let step = 0;
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const asRoot = (command, args) => (process.getuid?.() === 0 ? [command, args] : ['sudo', [command, ...args]]);

function announce(title) {
  step += 1;
  console.log(`\n▶ [${step}/${STEPS}] ${title}`);
  return Date.now();
}

function fail(message) {
  console.error(`\n✗ ${message}`);
  process.exit(1);
}

/** Runs a command with its output shown, prefixed, so a long step shows it is alive. */
function run(command, args, options = {}) {
  const [cmd, argv] = options.root ? asRoot(command, args) : [command, args];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd: options.cwd ?? root, stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (options.input) options.input.pipe(child.stdin);
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const line of lines) if (line.trim()) console.log(`  ${line}`);
      });
    }
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${argv.join(' ')} exited with ${code}`))));
  });
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const imageExists = (name) => spawnSync('podman', ['image', 'exists', name]).status === 0;

/** The Debian mirror apt already uses for the suite (one-line or deb822 sources), so no other host is needed. */
export function debianMirror(files = sourceFiles()) {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const block of text.split(/\n\s*\n/)) {
        const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(block)?.[1].trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb') && field('Suites').includes(SUITE) && field('Components').includes('main')) return field('URIs')[0];
      }
    } else {
      for (const line of text.split('\n')) {
        const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
        if (match && match[2] === SUITE && match[3].split(/\s+/).includes('main')) return match[1];
      }
    }
  }
  return 'http://deb.debian.org/debian';
}

function sourceFiles() {
  const dir = '/etc/apt/sources.list.d';
  const listed = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(list|sources)$/.test(f)).map((f) => join(dir, f)) : [];
  return ['/etc/apt/sources.list', ...listed].filter((f) => existsSync(f));
}

async function installTools() {
  const since = announce('tools: podman, runc, debootstrap');
  const missing = ['podman', 'runc', 'debootstrap'].filter((tool) => !has(tool));
  if (missing.length === 0) return console.log('  ✓ installed');
  await run(...asRoot('apt-get', ['update']));
  await run(...asRoot('apt-get', ['install', '-y', '--no-install-recommends', ...missing, ...(missing.includes('podman') ? ['uidmap', 'slirp4netns'] : [])]));
  console.log(`  ✓ installed ${missing.join(', ')} in ${seconds(since)}`);
}

async function configureEngine() {
  announce(`podman: runtime runc, no default ulimits (${ENGINE_CONFIG})`);
  if (existsSync(ENGINE_CONFIG) && readFileSync(ENGINE_CONFIG, 'utf8') === ENGINE_SETTINGS) return console.log('  ✓ configured');
  await run(...asRoot('mkdir', ['-p', dirname(ENGINE_CONFIG)]));
  const tee = spawnSync(...asRoot('tee', [ENGINE_CONFIG]), { input: ENGINE_SETTINGS, stdio: ['pipe', 'ignore', 'inherit'] });
  if (tee.status !== 0) fail(`could not write ${ENGINE_CONFIG}`);
  console.log('  ✓ written');
}

async function makeRootfs() {
  const rootfs = join(cache, `${SUITE}-minbase`);
  const mirror = debianMirror();
  const since = announce(`Debian ${SUITE} minbase root filesystem from ${mirror} (about a minute)`);
  if (existsSync(rootfs) && !rebuild) return (console.log(`  ✓ cached in ${rootfs}`), rootfs);
  const partial = `${rootfs}.partial`;
  await rm(partial, { recursive: true, force: true });
  await rm(rootfs, { recursive: true, force: true });
  await mkdir(cache, { recursive: true });
  await run(...asRoot('debootstrap', ['--variant=minbase', SUITE, partial, mirror]));
  // As the official slim images do: no manuals or docs now, nor from later apt installs.
  await writeFile(join(partial, 'etc/dpkg/dpkg.cfg.d/slim'), ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/groff/*', '/usr/share/lintian/*']
    .map((path) => `path-exclude ${path}`).concat('path-include /usr/share/doc/*/copyright', '').join('\n'));
  await rename(partial, rootfs);
  console.log(`  ✓ ${rootfs} in ${seconds(since)}`);
  return rootfs;
}

async function importDebian(rootfs) {
  const since = announce(`base image ${DEBIAN_IMAGE} (podman import)`);
  if (imageExists(DEBIAN_IMAGE) && !rebuild) return console.log('  ✓ exists');
  const tar = spawn('tar', ['-C', rootfs, '--exclude=./var/cache/apt/archives/*.deb', '--exclude=./var/lib/apt/lists/*', '--exclude=./usr/share/doc/*',
    '--exclude=./usr/share/man/*', '--exclude=./usr/share/info/*', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await run('podman', ['import', '--change', 'CMD ["bash"]', '-', DEBIAN_IMAGE], { input: tar.stdout });
  console.log(`  ✓ ${DEBIAN_IMAGE} in ${seconds(since)}`);
}

/** node:<this machine's version>-bookworm-slim from the installed nodejs package's files, less its docs. */
async function buildNode() {
  const nodeVersion = process.versions.node;
  const image = `docker.io/library/node:${nodeVersion}-${SUITE}-slim`;
  const since = announce(`base image ${image} from the installed nodejs package`);
  if (imageExists(image) && !rebuild) return (console.log('  ✓ exists'), nodeVersion);
  const owner = spawnSync('dpkg', ['-S', process.execPath], { encoding: 'utf8' });
  if (owner.status !== 0) fail(`${process.execPath} is not from a Debian package: install Node ${nodeVersion} with apt (NodeSource's nodejs) first`);
  const pkg = owner.stdout.split(':')[0];
  // npm and corepack as they are now (npm may have been upgraded in place since the package was installed).
  const files = execFileSync('dpkg', ['-L', pkg], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n').filter((path) => path && !/^\/usr\/share\/(doc|man)\b/.test(path) && !path.startsWith(GLOBAL_MODULES) && isFileOrLink(path));
  const context = join(cache, `node-${nodeVersion}`);
  await mkdir(context, { recursive: true });
  await writeFile(join(context, 'files.txt'), files.map((path) => path.slice(1)).join('\n') + '\n');
  await run('tar', ['-C', '/', '-cf', join(context, 'nodejs.tar'), '--no-recursion', '-T', join(context, 'files.txt'), '--recursion', ...['npm', 'corepack'].map((m) => join(GLOBAL_MODULES, m)).filter((dir) => existsSync(dir)).map((dir) => dir.slice(1))]);
  console.log(`  ${files.length} files of ${pkg} ${nodeVersion}, and npm, corepack as installed (npm ${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()})`);
  const extraCa = process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS) ? readFileSync(process.env.NODE_EXTRA_CA_CERTS) : '';
  await writeFile(join(context, 'extra-ca.pem'), extraCa);
  if (extraCa) console.log(`  with this machine's extra CA certificates (NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS})`);
  await run('podman', ['build', '--pull=never', '--format', 'docker', '--build-arg', `NODE_VERSION=${nodeVersion}`,
    '--build-arg', `EXTRA_CA_CERTS=${extraCa ? '/usr/local/share/logistics-platform/extra-ca.pem' : ''}`,
    '-f', join(root, 'deploy/images/node-base.Containerfile'), '-t', image, context]);
  console.log(`  ✓ ${image} in ${seconds(since)}`);
  return nodeVersion;
}

function isFileOrLink(path) {
  try {
    return !lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function buildApp(nodeVersion) {
  const image = `localhost/logistics-platform:${version}`;
  const since = announce(`logistics-platform:${version} from the Dockerfile (podman build; layers cached)`);
  await run('podman', ['build', '--pull=never', '--format', 'docker', '--build-arg', `NODE_VERSION=${nodeVersion}`, '-f', 'Dockerfile', '-t', image, '-t', 'localhost/logistics-platform:local', '.']);
  const size = execFileSync('podman', ['image', 'inspect', image, '--format', '{{.Size}}'], { encoding: 'utf8' }).trim();
  console.log(`  ✓ ${image} (${(Number(size) / 1e6).toFixed(0)} MB) in ${seconds(since)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await installTools();
    await configureEngine();
    const rootfs = await makeRootfs();
    await importDebian(rootfs);
    const nodeVersion = await buildNode();
    await buildApp(nodeVersion);
    console.log(`\nlogistics-platform:${version} built in ${seconds(started)}. Run a role: podman run --rm --network=host logistics-platform:${version} api`);
  } catch (error) {
    fail(error.message);
  }
}
