import { Type } from '@sinclair/typebox';
import type * as CsvStringify from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import type { AlarmHistoryFilter } from '../../../core/alarms/alarm-store.js';
import {
  ALARM_HISTORY_KINDS,
  type AlarmHistoryKind,
  type AlarmStatus,
  SEVERITY_ORDER,
} from '../../../core/alarms/alarm-types.js';
import { escapeFormula } from '../../../core/config/csv-formula.js';
import { stringifyExact, valueToJson } from '../../../core/json.js';
import { lazyModule } from '../../../core/lazy-module.js';
import type { Runtime } from '../../../core/runtime.js';
import type { Value } from '../../../core/values.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';
import { pathParams, routeDocs } from '../route-docs.js';
import { queryTime } from './audit.js';

const csvStringify = lazyModule<typeof CsvStringify>('csv-stringify/sync');

interface HistoryQuery {
  from?: string;
  to?: string;
  device?: string;
  tag?: string;
  alarm?: string;
  kind?: string;
  limit?: string;
  format?: string;
}

const historyQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'From this time: epoch milliseconds or an ISO date' })),
  to: Type.Optional(Type.String({ description: 'Up to this time: epoch milliseconds or an ISO date' })),
  device: Type.Optional(Type.String({ description: 'Only this device' })),
  tag: Type.Optional(Type.String({ description: 'Only this tag' })),
  alarm: Type.Optional(Type.String({ description: 'Only alarms of this name' })),
  kind: Type.Optional(Type.String({ description: `Only this kind: ${ALARM_HISTORY_KINDS.join(', ')}` })),
  limit: Type.Optional(Type.String({ description: 'At most this many events, newest first (default 1000)' })),
  format: Type.Optional(Type.String({ description: 'json (default) or csv' })),
});

export const ALARM_CSV_COLUMNS = [
  'time',
  'device',
  'tag',
  'alarm',
  'kind',
  'severity',
  'message',
  'value',
  'user',
  'comment',
  'source',
];

function historyFilter(query: HistoryQuery): AlarmHistoryFilter {
  const kind = query.kind || undefined;
  if (kind !== undefined && !(ALARM_HISTORY_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`kind must be one of ${ALARM_HISTORY_KINDS.join(', ')}, not "${kind}"`);
  }
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`limit must be a whole number of at least 1, not "${query.limit}"`);
  }
  return {
    from: queryTime(query.from, 'from'),
    to: queryTime(query.to, 'to'),
    device: query.device || undefined,
    tag: query.tag || undefined,
    alarm: query.alarm || undefined,
    kind: kind as AlarmHistoryKind | undefined,
    limit,
  };
}

/** Active unacknowledged first, then active acknowledged, then returned unacknowledged; by severity, newest first. */
export function alarmOrder(a: AlarmStatus, b: AlarmStatus): number {
  const group = (s: AlarmStatus) => (s.state === 'active' ? (s.acked ? 1 : 0) : s.acked ? 3 : 2);
  return (
    group(a) - group(b) ||
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    (b.activeSince ?? b.timestamp) - (a.activeSince ?? a.timestamp)
  );
}

function cell(value: unknown): string {
  return value === undefined || value === null ? '' : escapeFormula(String(value));
}

/**
 * `GET /api/v1/alarms` (active or unacknowledged; `?all=true` every configured alarm),
 * `POST /api/v1/alarms/{id}/ack` (operator, admin), `GET /api/v1/alarms/history`.
 */
export function registerAlarms(app: FastifyInstance, runtime: Runtime): void {
  app.get<{ Querystring: { all?: string } }>(
    '/api/v1/alarms',
    {
      schema: routeDocs('Alarms', 'Alarms that are active or not yet acknowledged, most urgent first', {
        querystring: Type.Object({
          all: Type.Optional(Type.String({ description: 'true: every configured alarm, normal ones too' })),
        }),
      }),
    },
    async (req, reply) => {
      const all = req.query.all === 'true' || req.query.all === '1';
      const alarms = runtime.gateway.alarms.list({ standing: !all }).sort(alarmOrder);
      return reply.type('application/json').send(stringifyExact(alarms));
    },
  );

  app.post<{ Params: { id: string }; Body: { comment?: unknown } | undefined }>(
    '/api/v1/alarms/:id/ack',
    {
      schema: routeDocs('Alarms', 'Acknowledge an alarm, with an optional comment (operator or admin)', {
        params: pathParams({ id: 'The alarm id from GET /api/v1/alarms' }),
        documentedBody: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['operator', 'admin'])) return reply;
      const comment = req.body?.comment ?? '';
      if (typeof comment !== 'string') return sendError(reply, 400, 'invalid-value', 'comment must be a string');
      try {
        const { alarm } = runtime.gateway.alarms.ack(req.params.id, comment, {
          source: 'http',
          user: req.user?.username ?? '',
          address: req.ip,
        });
        return reply.type('application/json').send(stringifyExact(alarm));
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  app.get<{ Querystring: HistoryQuery }>(
    '/api/v1/alarms/history',
    {
      schema: routeDocs('Alarms', 'Every alarm state change and acknowledgement, newest first', {
        querystring: historyQuery,
      }),
    },
    async (req, reply) => {
      let filter: AlarmHistoryFilter;
      try {
        filter = historyFilter(req.query);
      } catch (err) {
        return sendError(reply, 400, 'invalid-request', (err as Error).message);
      }
      const format = req.query.format ?? 'json';
      if (format !== 'json' && format !== 'csv') {
        return sendError(reply, 400, 'invalid-request', 'format must be json or csv');
      }
      const rows = runtime.gateway.alarms.history(filter);
      if (format === 'json') return reply.type('application/json').send(stringifyExact(rows));
      const csv = csvStringify().stringify([
        ALARM_CSV_COLUMNS,
        ...rows.map((r) => [
          new Date(r.at).toISOString(),
          cell(r.device),
          cell(r.tag),
          cell(r.alarm),
          r.kind,
          r.severity,
          cell(r.message),
          r.value === null ? '' : cell(valueToJson(r.value as Value)),
          cell(r.user),
          cell(r.comment),
          cell(r.source),
        ]),
      ]);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="tagwire-alarms.csv"')
        .send(`\uFEFF${csv}`);
    },
  );
}
