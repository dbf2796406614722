import type { FastifyInstance } from 'fastify';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import { stringifyExact } from '../../../core/json.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { sendGatewayError } from '../errors.js';

/** SPEC §5 core endpoints: config, values, status, writes. */
export function registerGatewayApi(app: FastifyInstance, runtime: Runtime): void {
  // Secrets (passwords, keys) never leave the gateway through the API; sent back as the
  // placeholder, they keep their stored value.
  app.get('/api/v1/config', async () => redactSecrets(runtime.config, runtime.registry));

  app.put('/api/v1/config', async (req, reply) => {
    if (!allow(req, reply, ['admin'])) return reply;
    try {
      const restarted = await runtime.applyConfig(restoreSecrets(req.body, runtime.config, runtime.registry), {
        source: 'api',
        user: req.user?.username,
      });
      return { ok: true, restarted };
    } catch (err) {
      return sendGatewayError(reply, err);
    }
  });

  // Values may hold 64-bit integers: serialised exactly, not through a double.
  app.get('/api/v1/values', async (_req, reply) =>
    reply.type('application/json').send(stringifyExact(runtime.gateway.values())),
  );

  app.get('/api/v1/status', async (_req, reply) =>
    reply.type('application/json').send(stringifyExact(runtime.gateway.status())),
  );

  // Tag names may contain '/', so the tag is the rest of the path before '/write'.
  app.post<{ Params: { device: string; '*': string }; Body: { value?: unknown } }>(
    '/api/v1/devices/:device/tags/*',
    async (req, reply) => {
      if (!allow(req, reply, ['admin', 'operator'])) return reply;
      const rest = req.params['*'];
      if (!rest.endsWith('/write')) {
        return reply.code(404).send({ error: { code: 'not-found', message: 'no such endpoint', details: [] } });
      }
      const tag = rest.slice(0, -'/write'.length);
      const body = req.body;
      if (!body || typeof body !== 'object' || !('value' in body)) {
        return reply.code(400).send({
          error: { code: 'invalid-value', message: 'send {"value": …}', details: [] },
        });
      }
      try {
        await runtime.gateway.write(req.params.device, tag, body.value);
        return { ok: true, timestamp: Date.now() };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );
}
