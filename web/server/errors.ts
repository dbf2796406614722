import type { FastifyInstance, FastifyReply } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import { clipForLog } from '../../core/log-clip.js';
import type { PluginRegistry } from '../../core/registry.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** HTTP status of an answer failing with an error code: the registry's error table. */
    errorStatus: (code: string) => number;
  }
}

/** Lets `sendGatewayError` answer with the status the core or the code's plugin declares. */
export function registerErrorStatus(app: FastifyInstance, registry: PluginRegistry): void {
  app.decorate('errorStatus', registry.httpStatus);
}

/** SPEC §5 error body: `{"error": {"code", "message", "details"}}`. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, details: string[] = []) {
  return reply.code(status).send({ error: { code, message, details } });
}

export function sendGatewayError(reply: FastifyReply, err: unknown) {
  if (err instanceof GatewayError) {
    const status = reply.server.errorStatus(err.code);
    return sendError(reply, status, err.code, err.message, err.details);
  }
  // Not a refusal the gateway decided: a fault worth a log line, not only an answer.
  const message = err instanceof Error ? err.message : String(err);
  reply.log.error({ err: message, url: clipForLog(reply.request.url) }, 'request failed');
  return sendError(reply, 500, 'internal', message);
}

/** 429 with Retry-After: too many wrong passwords (`what` says where: "failed logins"). */
export function sendRateLimited(reply: FastifyReply, retryAfterSeconds: number, what: string): FastifyReply {
  reply.header('retry-after', String(retryAfterSeconds));
  return sendError(reply, 429, 'rate-limited', `too many ${what}; try again in ${retryAfterSeconds} s`);
}
