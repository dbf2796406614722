import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AUDIT_KINDS, type AuditFilter, type AuditLog } from '../../../core/store/audit.js';
import { allow } from '../auth.js';
import { sendError } from '../errors.js';
import { routeDocs } from '../route-docs.js';
import {
  csvCell as cell,
  type EventLogQuery,
  eventLogFormat,
  eventLogQueryFields,
  eventLogRange,
  sendCsv,
} from './event-log-query.js';

interface AuditQuery extends EventLogQuery {
  user?: string;
}

const querystring = Type.Object({
  ...eventLogQueryFields(AUDIT_KINDS, 'entries'),
  user: Type.Optional(Type.String({ description: 'Only this user' })),
});

export const AUDIT_CSV_COLUMNS = ['time', 'user', 'kind', 'action', 'ok', 'value', 'error', 'source', 'address'];

function filterOf(query: AuditQuery): AuditFilter {
  return { ...eventLogRange(query, AUDIT_KINDS), user: query.user || undefined };
}

/** `GET /api/v1/audit`: who did what, when and from where (admins). */
export function registerAudit(app: FastifyInstance, audit: AuditLog): void {
  app.get<{ Querystring: AuditQuery }>(
    '/api/v1/audit',
    {
      schema: routeDocs(
        'Audit',
        'Logins, configuration changes, writes, acknowledgements, certificate trust and user changes (admin)',
        { querystring },
      ),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      let filter: AuditFilter;
      try {
        filter = filterOf(req.query);
      } catch (err) {
        return sendError(reply, 400, 'invalid-request', (err as Error).message);
      }
      const format = eventLogFormat(req.query);
      if (!format) return sendError(reply, 400, 'invalid-request', 'format must be json or csv');
      const rows = audit.query(filter);
      if (format === 'json') return rows;
      return sendCsv(
        reply,
        'tagwire-audit.csv',
        AUDIT_CSV_COLUMNS,
        rows.map((r) => [
          new Date(r.at).toISOString(),
          cell(r.user),
          r.kind,
          cell(r.action),
          r.ok ? 'ok' : 'refused',
          cell(r.value),
          cell(r.error),
          cell(r.source),
          cell(r.address),
        ]),
      );
    },
  );
}
