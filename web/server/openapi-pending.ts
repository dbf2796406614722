import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { ConfigSchema } from '../../core/config/schema.js';
import { DEVICE_PARAM, pathParams, queryParams, routeDocs } from './route-docs.js';

const CONFIG_FORMAT_QUERY = queryParams({ format: 'json (default) or yaml' });

/**
 * Documentation of routes whose files do not carry their own `schema` yet (gateway-api.ts,
 * config-history.ts), keyed by "METHOD pattern". A route that has its own summary wins, so
 * each entry can go as soon as its route declares `{ schema: … }` itself.
 */
export const DOCS_NOT_YET_ON_THEIR_ROUTES: Record<string, FastifySchema> = {
  'GET /api/v1/config': routeDocs('Config', 'The configuration (secrets shown as ********)', {
    querystring: CONFIG_FORMAT_QUERY,
  }),
  'PUT /api/v1/config': routeDocs('Config', 'Replace the whole configuration (applied as a diff)', {
    description:
      'JSON, or YAML with Content-Type application/yaml. ******** keeps the stored secret. ' +
      '400 with every error; nothing changes then.',
    documentedBody: ConfigSchema,
  }),
  'GET /api/v1/values': routeDocs('Values', 'Every tag’s latest value, timestamp and quality'),
  'GET /api/v1/status': routeDocs('Operations', 'Gateway, device and north app states and counters'),
  'POST /api/v1/devices/:device/tags/*': routeDocs('Values', 'Write a value to a tag (operator or admin)', {
    documentedUrl: '/api/v1/devices/:device/tags/:tag/write',
    params: pathParams({ ...DEVICE_PARAM, tag: 'Tag name; may contain "/"' }),
    documentedBody: Type.Object({ value: Type.Unknown({ description: 'number, bool or string, per the tag type' }) }),
  }),
  'GET /api/v1/config/history': routeDocs('Config', 'Every applied configuration: when, who, how'),
  'GET /api/v1/config/history/:id': routeDocs('Config', 'One configuration from the history', {
    params: pathParams({ id: 'History entry id' }),
    querystring: CONFIG_FORMAT_QUERY,
  }),
  'POST /api/v1/config/history/:id/rollback': routeDocs('Config', 'Apply a configuration from the history again', {
    params: pathParams({ id: 'History entry id' }),
  }),
};
