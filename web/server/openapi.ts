import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI description of every route, generated from the registered routes and their
 * schemas, browsable at /api/docs (after logging in) and as JSON at /api/docs/json.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'tagwire HTTP API',
        version,
        description:
          'Log in with POST /api/v1/auth/login, then send the token as "Authorization: Bearer …". ' +
          'Errors are {"error": {"code", "message", "details"}}.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
