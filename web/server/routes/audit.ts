import { Type } from '@sinclair/typebox';
import type * as CsvStringify from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { escapeFormula } from '../../../core/config/csv-formula.js';
import { lazyModule } from '../../../core/lazy-module.js';
import { AUDIT_KINDS, type AuditFilter, type AuditKind, type AuditLog } from '../../../core/store/audit.js';
import { allow } from '../auth.js';
import { sendError } from '../errors.js';
import { routeDocs } from '../route-docs.js';

const csvStringify = lazyModule<typeof CsvStringify>('csv-stringify/sync');

interface AuditQuery {
  from?: string;
  to?: string;
  user?: string;
  kind?: string;
  limit?: string;
  format?: string;
}

const querystring = Type.Object({
  from: Type.Optional(Type.String({ description: 'From this time: epoch milliseconds or an ISO date' })),
  to: Type.Optional(Type.String({ description: 'Up to this time: epoch milliseconds or an ISO date' })),
  user: Type.Optional(Type.String({ description: 'Only this user' })),
  kind: Type.Optional(Type.String({ description: `Only this kind: ${AUDIT_KINDS.join(', ')}` })),
  limit: Type.Optional(Type.String({ description: 'At most this many entries, newest first (default 1000)' })),
  format: Type.Optional(Type.String({ description: 'json (default) or csv' })),
});

export const AUDIT_CSV_COLUMNS = ['time', 'user', 'kind', 'action', 'ok', 'value', 'error', 'source', 'address'];

/** A time query parameter: epoch milliseconds or an ISO date; throws naming the parameter. */
export function queryTime(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be epoch milliseconds or an ISO date, not "${text}"`);
  return value;
}

function filterOf(query: AuditQuery): AuditFilter {
  const kind = query.kind || undefined;
  if (kind !== undefined && !(AUDIT_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`kind must be one of ${AUDIT_KINDS.join(', ')}, not "${kind}"`);
  }
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`limit must be a whole number of at least 1, not "${query.limit}"`);
  }
  return {
    from: queryTime(query.from, 'from'),
    to: queryTime(query.to, 'to'),
    user: query.user || undefined,
    kind: kind as AuditKind | undefined,
    limit,
  };
}

/** A text cell: a formula-looking text gets a leading ' so that a spreadsheet does not run it. */
function cell(value: unknown): string {
  return value === undefined ? '' : escapeFormula(String(value));
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
      const format = req.query.format ?? 'json';
      if (format !== 'json' && format !== 'csv')
        return sendError(reply, 400, 'invalid-request', 'format must be json or csv');
      const rows = audit.query(filter);
      if (format === 'json') return rows;
      const csv = csvStringify().stringify([
        AUDIT_CSV_COLUMNS,
        ...rows.map((r) => [
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
      ]);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="tagwire-audit.csv"')
        .send(`\uFEFF${csv}`);
    },
  );
}
