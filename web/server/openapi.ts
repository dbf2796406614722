import Fastify, { type FastifyInstance, type FastifySchema, type HTTPMethods } from 'fastify';

/** Where Swagger UI and the OpenAPI JSON are served. */
export const DOCS_PREFIX = '/api/docs';

/** A route of the gateway's HTTP app as the API docs describe it. */
export interface DocumentedRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema: FastifySchema | undefined;
}

/** A plain JSON copy: the generator must never touch the schemas that validate the configuration. */
function plainCopy(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}

type SchemaNode = { properties?: Record<string, SchemaNode>; required?: string[]; default?: unknown; items?: unknown };

/** A property with a default may be left out (it is filled in), so the docs do not call it required. */
function defaultsNotRequired(node: SchemaNode): SchemaNode {
  const props = node.properties;
  if (props) {
    for (const sub of Object.values(props)) defaultsNotRequired(sub);
    if (node.required) node.required = node.required.filter((name) => props[name]?.default === undefined);
    if (node.required?.length === 0) delete node.required;
  }
  if (typeof node.items === 'object' && node.items !== null) defaultsNotRequired(node.items as SchemaNode);
  return node;
}

/**
 * What /api/docs shows for one route: its documentation-only body as `body`, and `*` (the
 * rest of the path, a tag name that may contain `/`) as the parameter `tag`.
 */
export function documentRoute(schema: FastifySchema, url: string): { schema: FastifySchema; url: string } {
  const { documentedBody, documentedUrl, ...shown } = schema;
  if (documentedBody !== undefined) shown.body = defaultsNotRequired(plainCopy(documentedBody) as SchemaNode);
  let docUrl = documentedUrl ?? url;
  if (docUrl.includes('*')) {
    docUrl = docUrl.replace('*', ':tag');
    const params = plainCopy(shown.params ?? { type: 'object', properties: {} }) as {
      properties: Record<string, unknown>;
      required?: string[];
    };
    const { '*': tag, ...others } = params.properties;
    params.properties = { ...others, tag: tag ?? { type: 'string' } };
    params.required = [...(params.required ?? []).filter((p) => p !== '*'), 'tag'];
    shown.params = params;
  }
  return { schema: shown, url: docUrl };
}

/**
 * The app behind /api/docs: Swagger UI and the OpenAPI description of `routes`, generated from
 * their schemas. Its routes only describe: nothing is validated or served but the docs.
 */
export async function buildDocsApp(routes: readonly DocumentedRoute[], version: string): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  const docs = Fastify({ logger: false });
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await docs.register(swagger, {
    openapi: {
      info: {
        title: 'tagwire HTTP API',
        version,
        description:
          'Log in with POST /api/v1/auth/login, then send the token as "Authorization: Bearer …". ' +
          'Errors are {"error": {"code", "message", "details"}}. Changes need the role admin unless ' +
          'a route says otherwise; every change to the configuration is validated whole, refused whole ' +
          'with every error, and kept in the configuration history.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url }) => (schema ? documentRoute(schema, url) : { schema, url }),
  });
  const describeOnly = async () => undefined;
  for (const { method, url, schema } of routes)
    docs.route({ method, url, ...(schema && { schema }), handler: describeOnly });
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  await docs.ready();
  return docs;
}
