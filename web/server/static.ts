import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../core/package-root.js';

/** Where `npm run build` puts the browser app. */
export const UI_DIST = join(packageRoot(), 'web', 'ui', 'dist');

/**
 * Serves the bundled web UI (no internet needed). Unknown non-API paths get index.html,
 * so that the app's own routes survive a reload.
 */
export async function registerStatic(app: FastifyInstance): Promise<void> {
  if (!existsSync(join(UI_DIST, 'index.html'))) {
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html')
        .send('<!doctype html><title>tagwire</title><p>The web UI is not built. Run <code>npm run build</code>.</p>'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: UI_DIST, prefix: '/', wildcard: false, index: ['index.html'] });
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || path === '/metrics') {
      return reply
        .code(404)
        .send({ error: { code: 'not-found', message: `no route ${req.method} ${path}`, details: [] } });
    }
    return reply.sendFile('index.html');
  });
}
