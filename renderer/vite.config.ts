// Vite configuration of the renderer: `vite build --config renderer/vite.config.ts` writes
// dist/renderer, which `apron serve` and Electron's app:// protocol both load. The relative base
// lets the same build load from http://127.0.0.1:<port>/ and from app://renderer/.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Drop the CSP meta tag under `vite` (dev) only. The dev server injects an inline script (React
 * Fast Refresh) and connects to its HMR socket, and the production CSP blocks both.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'apron-relax-csp-for-dev-server',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/s, ''),
  };
}

// For `vite --config renderer/vite.config.ts` (dev), API calls and files go to a running
// `apron serve`, given by APRON_SERVE_URL (for example http://127.0.0.1:5174).
const apiTarget = process.env['APRON_SERVE_URL'];

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react(), relaxCspForDevServer()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: apiTarget === undefined ? {} : { proxy: { '/api': apiTarget, '/files': apiTarget } },
});
