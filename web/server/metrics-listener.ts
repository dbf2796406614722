import { createServer, type Server } from 'node:http';
import { GatewayError } from '../../core/errors.js';

/** `HOST:PORT` (IPv6 as `[::1]:9464`) of `TAGWIRE_METRICS_LISTEN`, checked before anything listens. */
export function parseListen(value: string, name = 'TAGWIRE_METRICS_LISTEN'): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[2]);
  if (!m?.[1] || !(port >= 1 && port <= 65535)) {
    throw new GatewayError('invalid-config', `${name} must be HOST:PORT`, [
      `${name}: "${value}" is not HOST:PORT (e.g. 10.0.0.5:9464 or [::1]:9464), port 1..65535`,
    ]);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/**
 * A listener that serves only `GET /metrics`, without login: for a management interface that
 * Prometheus reaches and plant users do not. Everything else answers 404.
 */
export async function startMetricsListener(
  at: { host: string; port: number },
  scrape: () => Promise<{ contentType: string; body: string }>,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics are not available\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
