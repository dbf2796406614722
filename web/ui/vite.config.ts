import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The bundled web UI: `vite build --config web/ui/vite.config.ts` writes web/ui/dist, which
 * web/server/static.ts serves. Everything is bundled (no CDN), so it works with no internet.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  // Preact's automatic JSX runtime, compiled by Vite's built-in oxc transformer (no Babel).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 300,
  },
  server: {
    // `npx vite --config web/ui/vite.config.ts` for UI work against a gateway on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
