import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CONTENT_SECURITY_POLICY } from '../../web/server/security-headers.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let app: FastifyInstance;
let admin: Record<string, string>;

/** Whether a package's main module is in Node's module cache: loaded by this process. */
function loaded(pkg: string): boolean {
  return Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`/node_modules/${pkg}/`));
}

beforeAll(async () => {
  gw = await startTestGateway({ gateway: { id: 'docs' } }, { users: { admin: ['admin-password-1', 'admin'] } });
  app = gw.app;
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: 'admin-password-1' },
  });
  admin = { authorization: `Bearer ${res.json().token}` };
});

afterAll(async () => {
  await gw.close();
});

describe('/api/docs', () => {
  it('is built on the first request, not at start', async () => {
    expect(loaded('@fastify/swagger')).toBe(false);
    expect(loaded('@fastify/swagger-ui')).toBe(false);
    const res = await app.inject({ method: 'GET', url: '/api/docs/json', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(loaded('@fastify/swagger')).toBe(true);
    const doc = res.json();
    expect(doc.info.title).toBe('tagwire HTTP API');
    // Routes registered on the gateway's app, with their schemas (the tag write's documented body).
    expect(doc.paths['/api/v1/values']).toBeDefined();
    expect(doc.paths['/api/v1/auth/login'].post.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    // The docs' own routes and Fastify's HEAD twins are not described.
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/api/docs'))).toEqual([]);
    // Describing the routes again left the gateway's own validation as it was.
    const twice = await app.inject({ method: 'GET', url: '/api/v1/audit?user=a&user=b', headers: admin });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error.code).toBe('invalid-request');
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit?user=admin', headers: admin })).statusCode).toBe(200);
  });

  it('needs a login like the rest of the API', async () => {
    for (const url of ['/api/docs', '/api/docs/json', '/api/docs/static/index.html']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('serves Swagger UI with the docs page policy, and answers revalidation with 304', async () => {
    const page = await app.inject({ method: 'GET', url: '/api/docs', headers: admin });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    expect(page.headers['content-security-policy']).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(page.headers['x-frame-options']).toBe('DENY');
    // Swagger UI's own redirect reaches the browser as it was answered.
    const moved = await app.inject({ method: 'GET', url: '/api/docs/static/index.html', headers: admin });
    expect(moved.statusCode).toBe(302);
    expect(moved.headers.location).toBe('/api/docs/');

    const script = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-ui-bundle.js', headers: admin });
    expect(script.statusCode).toBe(200);
    expect(Number(script.headers['content-length'])).toBe(script.rawPayload.length);
    const etag = script.headers.etag;
    expect(typeof etag).toBe('string');
    const again = await app.inject({
      method: 'GET',
      url: '/api/docs/static/swagger-ui-bundle.js',
      headers: { ...admin, 'if-none-match': etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });
});
