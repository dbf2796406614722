import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Runtime } from '../../core/runtime.js';

export interface AppOptions {
  runtime: Runtime;
  log: Logger;
  version: string;
}

/** Builds the HTTP app without listening, so tests can use `inject()`. */
export async function build(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
  });

  app.get('/healthz', async () => {
    const status = opts.runtime.gateway.status();
    return { status: 'ok', version: opts.version, uptimeMs: status.gateway.uptimeMs };
  });

  return app;
}
