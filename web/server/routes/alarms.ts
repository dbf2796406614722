import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AlarmHistoryFilter } from '../../../core/alarms/alarm-store.js';
import { ALARM_HISTORY_KINDS, type AlarmStatus, SEVERITY_ORDER } from '../../../core/alarms/alarm-types.js';
import { stringifyExact, valueToJson } from '../../../core/json.js';
import type { Runtime } from '../../../core/runtime.js';
import type { Value } from '../../../core/values.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';
import { pathParams, routeDocs } from '../route-docs.js';
import {
  csvCell as cell,
  type EventLogQuery,
  eventLogFormat,
  eventLogQueryFields,
  eventLogRange,
  sendCsv,
} from './event-log-query.js';

interface HistoryQuery extends EventLogQuery {
  device?: string;
  tag?: string;
  alarm?: string;
}

const historyQuery = Type.Object({
  ...eventLogQueryFields(ALARM_HISTORY_KINDS, 'events'),
  device: Type.Optional(Type.String({ description: 'Only this device' })),
  tag: Type.Optional(Type.String({ description: 'Only this tag' })),
  alarm: Type.Optional(Type.String({ description: 'Only alarms of this name' })),
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
  return {
    ...eventLogRange(query, ALARM_HISTORY_KINDS),
    device: query.device || undefined,
    tag: query.tag || undefined,
    alarm: query.alarm || undefined,
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
      const format = eventLogFormat(req.query);
      if (!format) return sendError(reply, 400, 'invalid-request', 'format must be json or csv');
      const rows = runtime.gateway.alarms.history(filter);
      if (format === 'json') return reply.type('application/json').send(stringifyExact(rows));
      return sendCsv(
        reply,
        'tagwire-alarms.csv',
        ALARM_CSV_COLUMNS,
        rows.map((r) => [
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
      );
    },
  );
}
