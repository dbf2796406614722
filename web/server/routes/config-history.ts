import type { FastifyInstance } from 'fastify';
import { formatConfig } from '../../../core/config/file.js';
import type { Config } from '../../../core/config/schema.js';
import { redactAnySecrets, redactSecrets } from '../../../core/config/secrets.js';
import { validateConfig } from '../../../core/config/validate.js';
import type { Runtime } from '../../../core/runtime.js';
import { historyConfig, listHistory } from '../../../core/store/config-history.js';
import type { Db } from '../../../core/store/db.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';
import { CONFIG_FORMAT_QUERY, pathParams, routeDocs } from '../route-docs.js';

const params = pathParams({ id: 'History entry id' });

/** Every applied configuration with who/when/how; any of them can be viewed and rolled back to. */
export function registerConfigHistory(app: FastifyInstance, runtime: Runtime, db: Db): void {
  app.get(
    '/api/v1/config/history',
    { schema: routeDocs('Config', 'Every applied configuration: when, who, how') },
    async () => listHistory(db),
  );

  app.get<{ Params: { id: string }; Querystring: { format?: string } }>(
    '/api/v1/config/history/:id',
    { schema: routeDocs('Config', 'One configuration from the history', { params, querystring: CONFIG_FORMAT_QUERY }) },
    async (req, reply) => {
      const format = req.query.format ?? 'json';
      if (format !== 'json' && format !== 'yaml') {
        return sendError(reply, 400, 'invalid-request', 'format must be json or yaml');
      }
      const config = historyConfig(db, Number(req.params.id));
      if (!config) return sendError(reply, 404, 'not-found', `no configuration history entry ${req.params.id}`);
      // An entry that no longer validates (older version, plugin gone) is shown as stored,
      // but its secrets are hidden all the same.
      const checked = validateConfig(config, runtime.registry);
      const shown = checked.ok
        ? redactSecrets(checked.config, runtime.registry)
        : redactAnySecrets(config, runtime.registry);
      if (format === 'json') return shown;
      // The text form the UI compares entries in; same layout as `tagwire export`.
      return reply.type('application/yaml; charset=utf-8').send(formatConfig(shown as Config, 'yaml'));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/config/history/:id/rollback',
    { schema: routeDocs('Config', 'Apply a configuration from the history again (admin)', { params }) },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      const config = historyConfig(db, Number(req.params.id));
      if (!config) return sendError(reply, 404, 'not-found', `no configuration history entry ${req.params.id}`);
      try {
        const restarted = await runtime.applyConfig(config, {
          source: `rollback to #${req.params.id}`,
          user: req.user?.username,
          address: req.ip,
        });
        return { ok: true, restarted };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );
}
