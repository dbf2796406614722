import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatConfig, parseConfigText } from '../../../core/config/file.js';
import type { Config } from '../../../core/config/schema.js';
import { ConfigSchema } from '../../../core/config/schema.js';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import { GatewayError } from '../../../core/errors.js';
import { stringifyExact } from '../../../core/json.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { MAX_BODY_DEPTH, valueTooDeep } from '../body-guards.js';
import { sendError, sendGatewayError } from '../errors.js';
import { CONFIG_FORMAT_QUERY, DEVICE_PARAM, pathParams, routeDocs } from '../route-docs.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** SPEC §5 core endpoints: config, values, status, writes. */
export function registerGatewayApi(app: FastifyInstance, runtime: Runtime): void {
  // A configuration file can be uploaded as it is: YAML is parsed here, its syntax errors name the line.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) =>
    done(null, new YamlText(String(body))),
  );

  // Secrets (passwords, keys) never leave the gateway through the API; sent back as the
  // placeholder, they keep their stored value.
  app.get<{ Querystring: { format?: string } }>(
    '/api/v1/config',
    {
      schema: routeDocs('Config', 'The configuration (secrets shown as ********)', {
        querystring: CONFIG_FORMAT_QUERY,
      }),
    },
    async (req, reply) => {
      const config = redactSecrets(runtime.config, runtime.registry);
      if (req.query.format === undefined || req.query.format === 'json') return config;
      if (req.query.format !== 'yaml') return sendError(reply, 400, 'invalid-request', 'format must be json or yaml');
      return reply
        .type('application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${runtime.config.gateway.id}-config.yaml"`)
        .send(formatConfig(config as Config, 'yaml'));
    },
  );

  app.put(
    '/api/v1/config',
    {
      schema: routeDocs('Config', 'Replace the whole configuration (applied as a diff)', {
        description:
          'JSON, or YAML with Content-Type application/yaml. ******** keeps the stored secret (also in a URL: mqtt://********@host), ' +
          'unless the endpoint it is sent to (url, endpointUrl) changed: then it must be sent again. ' +
          '400 with every error; nothing changes then.',
        documentedBody: ConfigSchema,
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      try {
        const body = req.body instanceof YamlText ? parseUploadedYaml(req, req.body.text) : req.body;
        const restarted = await runtime.applyConfig(restoreSecrets(body, runtime.config, runtime.registry), {
          source: changeChannel(req),
          user: req.user?.username,
          address: req.ip,
        });
        return { ok: true, restarted };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  // Values may hold 64-bit integers: serialised exactly, not through a double.
  app.get(
    '/api/v1/values',
    { schema: routeDocs('Values', 'Every tag’s latest value, timestamp and quality') },
    async (_req, reply) => reply.type('application/json').send(stringifyExact(runtime.gateway.values())),
  );

  app.get(
    '/api/v1/status',
    { schema: routeDocs('Operations', 'Gateway, device and north app states and counters') },
    async (_req, reply) => reply.type('application/json').send(stringifyExact(runtime.gateway.status())),
  );

  // Tag names may contain '/', so the tag is the rest of the path before '/write'.
  app.post<{ Params: { device: string; '*': string }; Body: { value?: unknown } }>(
    '/api/v1/devices/:device/tags/*',
    {
      schema: routeDocs('Values', 'Write a value to a tag (operator or admin)', {
        documentedUrl: '/api/v1/devices/:device/tags/*/write',
        params: pathParams({ ...DEVICE_PARAM, '*': 'Tag name; may contain "/"' }),
        documentedBody: Type.Object({
          value: Type.Unknown({ description: 'number, bool or string, per the tag type' }),
        }),
      }),
    },
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
        await runtime.gateway.write(req.params.device, tag, body.value, {
          source: 'http',
          user: req.user?.username,
          address: req.ip,
        });
        return { ok: true, timestamp: Date.now() };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );
}

/**
 * An uploaded YAML file; its syntax errors come back as config errors. An alias bomb (one
 * alias expanding to millions of nodes), a self-referring alias or a document nested too deep
 * is refused with 400 and logged, never left to fail later as a 500.
 */
function parseUploadedYaml(req: FastifyRequest, text: string): unknown {
  const refuse = (reason: string) => {
    req.log.warn({ user: req.user?.username, ip: req.ip, reason }, 'configuration upload refused');
    return new GatewayError('invalid-config', 'uploaded file is not a usable YAML document', [
      `uploaded file: ${reason}`,
    ]);
  };
  let parsed: unknown;
  try {
    parsed = parseConfigText(text, 'uploaded file');
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw refuse((err as Error).message);
  }
  if (valueTooDeep(parsed)) {
    throw refuse(`nests deeper than ${MAX_BODY_DEPTH} levels (or an alias refers to itself)`);
  }
  return parsed;
}

/** A YAML request body, parsed in the handler so that syntax errors come back as config errors. */
class YamlText {
  constructor(readonly text: string) {}
}

/** `ui` when the web UI says it sent the change (its own header), else `api`: the history says which. */
function changeChannel(req: FastifyRequest): 'ui' | 'api' {
  return req.headers['x-tagwire-client'] === 'web-ui' ? 'ui' : 'api';
}
