import type { FastifyInstance } from 'fastify';
import { canonicalYaml } from '../../../core/config/canonical-yaml.js';
import { removedBy, summarizeChange } from '../../../core/config/change-summary.js';
import { formatConfig } from '../../../core/config/file.js';
import type { Config } from '../../../core/config/schema.js';
import { redactAnySecrets, redactSecrets } from '../../../core/config/secrets.js';
import { validateConfig } from '../../../core/config/validate.js';
import type { Runtime } from '../../../core/runtime.js';
import { historyConfig, listHistory, previousEntryId } from '../../../core/store/config-history.js';
import type { Db } from '../../../core/store/db.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';
import { CONFIG_FORMAT_QUERY, pathParams, queryParams, routeDocs } from '../route-docs.js';

const params = pathParams({ id: 'History entry id' });

/** A stored configuration as the API may show it: secrets hidden, even in an entry that no longer validates. */
function shown(config: unknown, runtime: Runtime): unknown {
  const checked = validateConfig(config, runtime.registry);
  return checked.ok ? redactSecrets(checked.config, runtime.registry) : redactAnySecrets(config, runtime.registry);
}

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
      const visible = shown(config, runtime);
      if (format === 'json') return visible;
      // Same layout as `tagwire export`.
      return reply.type('application/yaml; charset=utf-8').send(formatConfig(visible as Config, 'yaml'));
    },
  );

  // Compared as canonical YAML (keys sorted) and by name, so a reordered key is not a change.
  app.get<{ Params: { id: string }; Querystring: { against?: string } }>(
    '/api/v1/config/history/:id/diff',
    {
      schema: routeDocs(
        'Config',
        'What an entry changed (against=previous) or what rolling back to it changes (against=current)',
        {
          params,
          querystring: queryParams({
            against: 'previous (default): the entry before it; current: the configuration in force now',
          }),
          description:
            'before/after as YAML with sorted keys, a one-line summary, and the devices, groups, tags and north apps that are in `before` and not in `after` (`removed`).',
        },
      ),
    },
    async (req, reply) => {
      const against = req.query.against ?? 'previous';
      if (against !== 'previous' && against !== 'current') {
        return sendError(reply, 400, 'invalid-request', 'against must be previous or current');
      }
      const id = Number(req.params.id);
      const config = historyConfig(db, id);
      if (!config) return sendError(reply, 404, 'not-found', `no configuration history entry ${req.params.id}`);
      const beforeId = against === 'previous' ? previousEntryId(db, id) : undefined;
      const before =
        against === 'current' ? runtime.config : beforeId === undefined ? undefined : historyConfig(db, beforeId);
      const beforeShown = before === undefined ? undefined : shown(before, runtime);
      const afterShown = shown(config, runtime);
      return {
        id,
        against,
        beforeId: beforeId ?? null,
        before: beforeShown === undefined ? '' : canonicalYaml(beforeShown),
        after: canonicalYaml(afterShown),
        summary: summarizeChange(beforeShown, afterShown),
        removed: removedBy(beforeShown, afterShown),
      };
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
