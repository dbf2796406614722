/**
 * What the audit trail and the alarm history routes share: both are bounded event logs read newest
 * first with a time range, a kind and a limit, as JSON or as a CSV download.
 */
import { Type } from '@sinclair/typebox';
import type * as CsvStringify from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import { escapeFormula } from '../../../core/config/csv-formula.js';
import { lazyModule } from '../../../core/lazy-module.js';

const csvStringify = lazyModule<typeof CsvStringify>('csv-stringify/sync');

export interface EventLogQuery {
  from?: string;
  to?: string;
  kind?: string;
  limit?: string;
  format?: string;
}

/** The query parameters every event log takes; `what` names its entries in the descriptions. */
export function eventLogQueryFields(kinds: readonly string[], what: string) {
  return {
    from: Type.Optional(Type.String({ description: 'From this time: epoch milliseconds or an ISO date' })),
    to: Type.Optional(Type.String({ description: 'Up to this time: epoch milliseconds or an ISO date' })),
    kind: Type.Optional(Type.String({ description: `Only this kind: ${kinds.join(', ')}` })),
    limit: Type.Optional(Type.String({ description: `At most this many ${what}, newest first (default 1000)` })),
    format: Type.Optional(Type.String({ description: 'json (default) or csv' })),
  };
}

/** A time query parameter: epoch milliseconds or an ISO date; throws naming the parameter. */
export function queryTime(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be epoch milliseconds or an ISO date, not "${text}"`);
  return value;
}

/** from, to, kind and limit checked; throws naming the parameter that is wrong. */
export function eventLogRange<K extends string>(
  query: EventLogQuery,
  kinds: readonly K[],
): { from?: number | undefined; to?: number | undefined; kind?: K | undefined; limit?: number | undefined } {
  const kind = query.kind || undefined;
  if (kind !== undefined && !(kinds as readonly string[]).includes(kind)) {
    throw new Error(`kind must be one of ${kinds.join(', ')}, not "${kind}"`);
  }
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`limit must be a whole number of at least 1, not "${query.limit}"`);
  }
  return { from: queryTime(query.from, 'from'), to: queryTime(query.to, 'to'), kind: kind as K | undefined, limit };
}

/** `format` as asked, or undefined when it is neither json nor csv. */
export function eventLogFormat(query: EventLogQuery): 'json' | 'csv' | undefined {
  const format = query.format ?? 'json';
  return format === 'json' || format === 'csv' ? format : undefined;
}

/** A text cell: a formula-looking text gets a leading ' so that a spreadsheet does not run it. */
export function csvCell(value: unknown): string {
  return value === undefined || value === null ? '' : escapeFormula(String(value));
}

/** The rows as a CSV download Excel opens as UTF-8 (byte order mark first). */
export function sendCsv(reply: FastifyReply, filename: string, columns: readonly string[], rows: unknown[][]) {
  const csv = csvStringify().stringify([[...columns], ...rows]);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(`\uFEFF${csv}`);
}
