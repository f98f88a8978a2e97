/** The cluster's app processes run dist/, as the image does: built when missing or older than the sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCE_DIRS = ['api', 'activities', 'config', 'db', 'domain', 'migrations', 'scripts', 'worker', 'workflows', 'web/src'];

/** The newest modification time under the folders the build compiles. */
function newestSource(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|svelte|mjs)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return newest;
}

/** True when `dist` holds a build of the app's server side no older than the sources. */
export function isFreshBuild(root: string, dist: string): boolean {
  const entry = path.join(dist, 'scripts', 'start-prod.js');
  return existsSync(entry) && statSync(entry).mtimeMs >= newestSource(root);
}

/** `root`/dist, after `npm run build` when it is missing or stale; throws when the build fails. */
export function ensureBuild(root: string, log: (line: string) => void): string {
  const dist = path.join(root, 'dist');
  if (isFreshBuild(root, dist) && existsSync(path.join(dist, 'web', 'dist', 'index.html'))) return dist;
  log('building dist/ (npm run build), as the image does…');
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed: see above');
  return dist;
}
