/**
 * Builds the Pathways web app into `web/dist`, which the API server serves on its own
 * port (one origin: no CORS, and the socket shares the API's sign-in).
 *
 * `npm run dev:web`-style development: `vite --config web/vite.config.ts` proxies the API
 * and the socket to a server on PATHWAYS_API (default http://localhost:3000).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.PATHWAYS_API ?? 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  // Keep build output quiet and predictable for tests and `npm start`.
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': api,
      '/healthz': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
