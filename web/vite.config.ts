import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, loadEnv } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ mode }) => {
  // Where `npm run dev:web` sends API and socket traffic; the API listens on :8000 by default.
  const api = loadEnv(mode, root, 'API_').API_PROXY_TARGET || 'http://localhost:8000';
  return {
    root,
    plugins: [svelte()],
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
