import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildDocsApp, DOCS_PREFIX, type DocumentedRoute } from './openapi.js';

/** The docs app is closed after this long without a request; the next one builds it again. */
const IDLE_CLOSE_MS = 10 * 60_000;

/** Request headers passed to the docs app: what content negotiation and caching need. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'if-none-match', 'if-modified-since'] as const;

/** Response headers not copied back: the gateway's own reply sets these. */
const OWN_RESPONSE_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/**
 * /api/docs (Swagger UI, the OpenAPI JSON) behind the gateway's login, built on the first request
 * rather than at start: Swagger, its UI and the YAML library they load are ~2 MB of heap that every
 * gateway would carry for a page few ever open. Every route registered after this call is recorded
 * for the description; the docs app is closed again when unused for IDLE_CLOSE_MS.
 */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', ({ method, url, schema }) => {
    // HEAD twins of GET routes are added by Fastify itself, in the docs app as here.
    if (method === 'HEAD' || url.startsWith(DOCS_PREFIX)) return;
    routes.push({ method, url, schema });
  });

  let docs: Promise<FastifyInstance> | undefined;
  let idle: NodeJS.Timeout | undefined;
  const close = () => {
    const closing = docs;
    docs = undefined;
    void closing?.then((built) => built.close()).catch(() => undefined);
  };
  app.addHook('onClose', async () => {
    clearTimeout(idle);
    close();
  });

  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    docs ??= buildDocsApp(routes, version).catch((err: unknown) => {
      docs = undefined;
      throw err;
    });
    const built = await docs;
    clearTimeout(idle);
    idle = setTimeout(close, IDLE_CLOSE_MS).unref();
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await built.inject({ method: 'GET', url: req.url, headers });
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !OWN_RESPONSE_HEADERS.has(name)) reply.header(name, value);
    }
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };
  const hidden = { schema: { hide: true } };
  app.get(DOCS_PREFIX, hidden, serve);
  app.get(`${DOCS_PREFIX}/*`, hidden, serve);
}
