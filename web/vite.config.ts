import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, loadEnv, type Plugin } from 'vite';

const gzipAsync = promisify(gzip);

/** Writes a .gz beside each script, style and page, which the API's static server sends to browsers that accept it. */
function precompress(): Plugin {
  return {
    name: 'precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? '';
      const files = Object.keys(bundle).filter((f) => /\.(js|css|html|svg|json)$/.test(f));
      await Promise.all(files.map(async (f) => {
        const file = path.join(dir, f);
        await writeFile(`${file}.gz`, await gzipAsync(await readFile(file), { level: 9 }));
      }));
    },
  };
}

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ mode }) => {
  // Where `npm run dev:web` sends API and socket traffic; the API listens on :8000 by default.
  const api = loadEnv(mode, root, 'API_').API_PROXY_TARGET || 'http://localhost:8000';
  return {
    root,
    plugins: [svelte(), precompress()],
    server: {
      // The pages import the state machine and types from domain/, one level above the web root.
      fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
      proxy: {
        '/api': { target: api },
        '/socket.io': { target: api, ws: true },
      },
    },
    build: {
      outDir: fileURLToPath(new URL('dist', import.meta.url)),
      emptyOutDir: true,
      manifest: true,
      target: 'es2022',
    },
  };
});
