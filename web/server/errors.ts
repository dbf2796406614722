import type { FastifyReply } from 'fastify';
import { GatewayError } from '../../core/errors.js';
import { clipForLog } from '../../core/log-clip.js';

/** HTTP status for each stable error code; anything else is a 500. */
const STATUS: Record<string, number> = {
  'invalid-config': 400,
  'not-supported': 400,
  'invalid-value': 400,
  'invalid-address': 400,
  'out-of-range': 400,
  'read-only': 400,
  'write-only': 400,
  'unknown-device': 404,
  'unknown-tag': 404,
  'not-found': 404,
  'device-disabled': 409,
  'not-connected': 409,
  busy: 503,
  timeout: 504,
  disconnected: 502,
  'bad-response': 502,
};

/** SPEC §5 error body: `{"error": {"code", "message", "details"}}`. */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, details: string[] = []) {
  return reply.code(status).send({ error: { code, message, details } });
}

export function sendGatewayError(reply: FastifyReply, err: unknown) {
  if (err instanceof GatewayError) {
    const status =
      STATUS[err.code] ?? (err.code.startsWith('modbus-exception') || err.code.startsWith('opcua-') ? 502 : 500);
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
