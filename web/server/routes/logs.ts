import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LOG_LEVELS, type LogLine } from '../../../core/log-line.js';
import { LOG_LINES_KEPT, logTap } from '../../../core/log-tap.js';
import { sendError } from '../errors.js';
import { routeDocs } from '../route-docs.js';

interface LogsQuery {
  level?: string;
  device?: string;
  north?: string;
  after?: string;
  format?: string;
}

const querystring = Type.Object({
  level: Type.Optional(Type.String({ description: `Lowest level shown: ${LOG_LEVELS.join(', ')}` })),
  device: Type.Optional(Type.String({ description: "Only this device's lines" })),
  north: Type.Optional(Type.String({ description: "Only this north app's lines" })),
  after: Type.Optional(Type.String({ description: 'Only lines after this sequence number' })),
  format: Type.Optional(Type.String({ description: 'json (default) or text (one line each, for download)' })),
});

/**
 * 10000 → "10,000" without `toLocaleString`: its first call maps ~5 MB of ICU data into the
 * process for the rest of its life, for one sentence of documentation.
 */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

function textLine(l: LogLine): string {
  const source = l.device
    ? `device=${l.device} `
    : l.north
      ? `north=${l.north} `
      : l.component
        ? `${l.component} `
        : '';
  return `${new Date(l.time).toISOString()} ${l.level.toUpperCase().padEnd(5)} ${source}${l.msg}`;
}

/** `GET /api/v1/logs`: the last lines of the gateway's log (after redaction), filtered. */
export function registerLogs(app: FastifyInstance): void {
  app.get<{ Querystring: LogsQuery }>(
    '/api/v1/logs',
    {
      schema: routeDocs(
        'Operations',
        `The last ${thousands(LOG_LINES_KEPT)} log lines, oldest first (older ones: journalctl -u tagwire)`,
        { querystring },
      ),
    },
    async (req, reply) => {
      const { level, device, north, after, format = 'json' } = req.query;
      const min = level === undefined ? 0 : (LOG_LEVELS as readonly string[]).indexOf(level);
      if (min < 0) return sendError(reply, 400, 'invalid-request', `level must be one of ${LOG_LEVELS.join(', ')}`);
      if (format !== 'json' && format !== 'text')
        return sendError(reply, 400, 'invalid-request', 'format must be json or text');
      const since = after === undefined ? 0 : Number(after);
      if (!Number.isInteger(since)) return sendError(reply, 400, 'invalid-request', 'after must be a sequence number');
      const lines = logTap
        .lines()
        .filter(
          (l) =>
            l.seq > since &&
            (LOG_LEVELS as readonly string[]).indexOf(l.level) >= min &&
            (device === undefined || l.device === device) &&
            (north === undefined || l.north === north),
        );
      if (format === 'json') return lines;
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', 'attachment; filename="tagwire.log"')
        .send(lines.map(textLine).join('\n') + (lines.length > 0 ? '\n' : ''));
    },
  );
}
