import type { FastifyRequest } from 'fastify';
import type { AuditEntry, AuditLog } from '../../core/store/audit.js';

/** Records what an HTTP request did, with its user and the client's address. */
export function auditRequest(
  audit: AuditLog,
  req: FastifyRequest,
  entry: Omit<AuditEntry, 'source' | 'address' | 'user'> & { user?: string | undefined },
): void {
  audit.record({ user: req.user?.username, ...entry, source: 'http', address: req.ip });
}
