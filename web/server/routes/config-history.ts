import type { FastifyInstance } from 'fastify';
import { redactSecrets } from '../../../core/config/secrets.js';
import { validateConfig } from '../../../core/config/validate.js';
import type { Runtime } from '../../../core/runtime.js';
import { historyConfig, listHistory } from '../../../core/store/config-history.js';
import type { Db } from '../../../core/store/db.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';

/** Every applied configuration with who/when/how; any of them can be viewed and rolled back to. */
export function registerConfigHistory(app: FastifyInstance, runtime: Runtime, db: Db): void {
  app.get('/api/v1/config/history', async () => listHistory(db));

  app.get<{ Params: { id: string } }>('/api/v1/config/history/:id', async (req, reply) => {
    const config = historyConfig(db, Number(req.params.id));
    if (!config) return sendError(reply, 404, 'not-found', `no configuration history entry ${req.params.id}`);
    const checked = validateConfig(config, runtime.registry);
    return checked.ok ? redactSecrets(checked.config, runtime.registry) : config;
  });

  app.post<{ Params: { id: string } }>('/api/v1/config/history/:id/rollback', async (req, reply) => {
    if (!allow(req, reply, ['admin'])) return reply;
    const config = historyConfig(db, Number(req.params.id));
    if (!config) return sendError(reply, 404, 'not-found', `no configuration history entry ${req.params.id}`);
    try {
      const restarted = await runtime.applyConfig(config, {
        source: `rollback to #${req.params.id}`,
        user: req.user?.username,
      });
      return { ok: true, restarted };
    } catch (err) {
      return sendGatewayError(reply, err);
    }
  });
}
