import type { FastifyInstance } from 'fastify';
import { createMetrics } from '../../../core/metrics/metrics.js';
import type { Runtime } from '../../../core/runtime.js';
import { routeDocs } from '../route-docs.js';

/** `TAGWIRE_METRICS_PUBLIC=1` lets Prometheus scrape without a token (README "Metrics"). */
export function metricsArePublic(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TAGWIRE_METRICS_PUBLIC === '1' || env.TAGWIRE_METRICS_PUBLIC === 'true';
}

/**
 * `GET /metrics` (SPEC §5), Prometheus text format. Needs a login like the API (the auth
 * hook covers the `/metrics` route) unless metrics are made public.
 */
export function registerMetrics(app: FastifyInstance, runtime: Runtime, version: string): void {
  const metrics = createMetrics(runtime.gateway, version);
  app.addHook('onClose', async () => metrics.close());
  app.get(
    '/metrics',
    { config: { public: metricsArePublic() }, schema: routeDocs('Operations', 'Prometheus metrics (text format)') },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.scrape()),
  );
}
