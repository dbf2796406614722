import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { createMetrics } from '../../../core/metrics/metrics.js';
import type { Runtime } from '../../../core/runtime.js';
import { parseListen, startMetricsListener } from '../metrics-listener.js';
import { routeDocs } from '../route-docs.js';

/** `TAGWIRE_METRICS_PUBLIC=1` lets Prometheus scrape without a token (README "Metrics"). */
export function metricsArePublic(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TAGWIRE_METRICS_PUBLIC === '1' || env.TAGWIRE_METRICS_PUBLIC === 'true';
}

/**
 * `GET /metrics` (SPEC §5), Prometheus text format. Needs a login like the API (the auth
 * hook covers the `/metrics` route) unless metrics are made public. With
 * `TAGWIRE_METRICS_LISTEN=HOST:PORT` they are also served, without login, on that address
 * alone, from when the API listens.
 */
export function registerMetrics(app: FastifyInstance, runtime: Runtime, version: string): void {
  const extra = process.env.TAGWIRE_METRICS_LISTEN ? parseListen(process.env.TAGWIRE_METRICS_LISTEN) : undefined;
  const metrics = createMetrics(runtime.gateway, version);
  let listener: Server | undefined;
  if (extra) {
    app.addHook('onListen', async () => {
      const address = `${extra.host}:${extra.port}`;
      try {
        listener = await startMetricsListener(extra, async () => ({
          contentType: metrics.contentType,
          body: await metrics.scrape(),
        }));
        app.log.warn({ address }, 'metrics served without login on this address');
      } catch (err) {
        // The gateway keeps running: metrics are not worth stopping the plant's data for.
        app.log.error(
          { address, err: (err as Error).message },
          'TAGWIRE_METRICS_LISTEN: cannot listen on this address (in use, or not an address of this machine); /metrics stays on the API port only',
        );
      }
    });
  }
  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
    metrics.close();
  });
  app.get(
    '/metrics',
    { config: { public: metricsArePublic() }, schema: routeDocs('Operations', 'Prometheus metrics (text format)') },
    async (_req, reply) => reply.type(metrics.contentType).send(await metrics.scrape()),
  );
}
