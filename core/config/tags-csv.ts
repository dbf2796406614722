import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { GatewayError } from '../errors.js';
import { escapeFormula, unescapeFormula } from './csv-formula.js';
import type { DeviceConfig, GroupConfig, TagConfig } from './schema.js';

/** CSV columns: the group, then the tag fields of SPEC §3 in schema order. */
export const TAG_CSV_COLUMNS = [
  'group',
  'name',
  'address',
  'type',
  'length',
  'byteOrder',
  'access',
  'scale',
  'offset',
  'deadband',
  'unit',
  'description',
] as const;

const NUMERIC = new Set(['length', 'scale', 'offset', 'deadband']);

/** A value as a CSV cell: text that a spreadsheet would run as a formula is escaped; numbers stay numbers. */
function cell(value: unknown): unknown {
  return typeof value === 'string' ? escapeFormula(value) : (value ?? '');
}

export function tagsToCsv(device: DeviceConfig): string {
  const rows = device.groups.flatMap((g) =>
    g.tags.map((t) => TAG_CSV_COLUMNS.map((c) => cell(c === 'group' ? g.name : (t as Record<string, unknown>)[c]))),
  );
  // Quoted when it starts or ends with whitespace: the import trims unquoted cells only.
  return stringify([[...TAG_CSV_COLUMNS], ...rows], { quoted_match: /^\s|\s$/ });
}

/**
 * The device with its tags replaced by the CSV's rows (groups matched by name; a new
 * group name makes a group with default settings). Returns, per resulting group and tag,
 * the CSV line it came from, so validation errors can name the line.
 */
export function deviceWithCsvTags(
  device: DeviceConfig,
  csv: string,
): { device: DeviceConfig; lineOf: (group: number, tag: number) => number } {
  let records: string[][];
  try {
    // A row may stop early (cells left out at the end are empty), as spreadsheets write them.
    records = parse(csv, { bom: true, skip_empty_lines: true, trim: true, relax_column_count_less: true });
  } catch (err) {
    throw new GatewayError('invalid-config', 'the CSV cannot be read', [(err as Error).message]);
  }
  const [header, ...rows] = records;
  if (!header) throw new GatewayError('invalid-config', 'the CSV is empty', ['line 1: a header row is required']);
  const unknown = header.filter((h) => !(TAG_CSV_COLUMNS as readonly string[]).includes(h));
  const missing = ['group', 'name', 'address'].filter((c) => !header.includes(c));
  if (unknown.length > 0 || missing.length > 0) {
    throw new GatewayError('invalid-config', 'the CSV header is wrong', [
      ...unknown.map((c) => `line 1: unknown column "${c}" (columns: ${TAG_CSV_COLUMNS.join(', ')})`),
      ...missing.map((c) => `line 1: column "${c}" is required`),
    ]);
  }
  const groups = new Map<string, GroupConfig>();
  const lines = new Map<GroupConfig, number[]>();
  for (const g of device.groups) {
    const copy = { ...g, tags: [] as TagConfig[] };
    groups.set(g.name, copy);
    lines.set(copy, []);
  }
  rows.forEach((row, i) => {
    const tag: Record<string, unknown> = {};
    let groupName = '';
    header.forEach((column, k) => {
      const cell = unescapeFormula(row[k] ?? '');
      if (column === 'group') groupName = cell;
      else if (cell !== '') tag[column] = NUMERIC.has(column) && /^-?[\d.eE+-]+$/.test(cell) ? Number(cell) : cell;
    });
    let group = groups.get(groupName);
    if (!group) {
      group = { name: groupName, tags: [] } as unknown as GroupConfig;
      groups.set(groupName, group);
      lines.set(group, []);
    }
    group.tags.push(tag as TagConfig);
    lines.get(group)?.push(i + 2);
  });
  const result = [...groups.values()].filter((g) => g.tags.length > 0 || device.groups.some((o) => o.name === g.name));
  return {
    device: { ...device, groups: result },
    lineOf: (group, tag) => lines.get(result[group] as GroupConfig)?.[tag] ?? 0,
  };
}
