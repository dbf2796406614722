import type { FastifyInstance } from 'fastify';
import { DOCS_PREFIX } from './openapi.js';

/**
 * What the browser may do with tagwire's pages: scripts, styles, fonts and API calls only from
 * the gateway itself (the UI is bundled, no CDN), images also as data: URIs (the favicon),
 * no plugins, and no framing by any site (clickjacking of the write dialog).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The API docs page (Swagger UI) adds `<style>` elements of its own; its scripts stay restricted. */
export const DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  "style-src 'self' 'unsafe-inline'",
);

/** The same headers on every answer: pages, API and errors alike. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const docs = req.routeOptions.url?.startsWith(DOCS_PREFIX) === true;
    reply.header('content-security-policy', docs ? DOCS_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    return payload;
  });
}
