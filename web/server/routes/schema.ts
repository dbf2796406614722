import type { FastifyInstance } from 'fastify';
import { ConfigSchema } from '../../../core/config/schema.js';
import type { PluginRegistry } from '../../../core/registry.js';
import { routeDocs } from '../route-docs.js';

/**
 * `GET /api/v1/schema`: the configuration's JSON Schema and every driver's and north
 * plugin's settings schema, so that the UI generates its forms (titles, help, defaults)
 * from the same schema that validates files and the API.
 */
export function registerSchema(app: FastifyInstance, registry: PluginRegistry): void {
  app.get(
    '/api/v1/schema',
    { schema: routeDocs('Config', 'JSON Schema of the configuration and of every driver’s and plugin’s settings') },
    async () => ({
      config: ConfigSchema,
      drivers: Object.fromEntries(
        [...registry.drivers.values()].map((d) => [
          d.name,
          { title: d.title, settings: d.settingsSchema, ...(d.derivesValues ? { derivesValues: true } : {}) },
        ]),
      ),
      north: Object.fromEntries(
        [...registry.north.values()].map((n) => [n.name, { title: n.title, settings: n.settingsSchema }]),
      ),
    }),
  );
}
