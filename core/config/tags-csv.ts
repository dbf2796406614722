import type * as CsvParse from 'csv-parse/sync';
import type * as CsvStringify from 'csv-stringify/sync';
import { GatewayError } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import { type CsvDelimiter, columnOf, detectDelimiter, numberCell } from './csv-dialect.js';
import { escapeFormula, unescapeFormula } from './csv-formula.js';
import type { DeviceConfig, GroupConfig, TagConfig } from './schema.js';

/** CSV columns: the group, then the tag fields of SPEC §3 in schema order; computed tags' fields (§3.4) last. */
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
  'expression',
  'aggregate',
] as const;
type Column = (typeof TAG_CSV_COLUMNS)[number];

const NUMERIC = new Set<Column>(['length', 'scale', 'offset', 'deadband']);

const csvParse = lazyModule<typeof CsvParse>('csv-parse/sync');
const csvStringify = lazyModule<typeof CsvStringify>('csv-stringify/sync');

interface AggregateFields {
  function: string;
  of: string;
  windowMs: number;
}

/** A computed tag's aggregate in one cell: `avg({plc/flow}, 60000)` — function, input, window in ms. */
function aggregateCell(aggregate: AggregateFields): string {
  return `${aggregate.function}(${aggregate.of}, ${aggregate.windowMs})`;
}

/** The cell back as an aggregate; the window is the last argument, so the input may hold commas (`avg(max({a/b}, {a/c}), 60000)`). */
function parseAggregateCell(cell: string): AggregateFields | undefined {
  const match = /^([A-Za-z]+)\s*\((.+),\s*(\d+)\s*\)$/s.exec(cell.trim());
  if (!match) return undefined;
  return { function: match[1] as string, of: (match[2] as string).trim(), windowMs: Number(match[3]) };
}

/** Every aggregate cell that is not `function(input, windowMs)`, by line: the file is refused whole, nothing imported. */
function checkAggregateCells(rows: CsvRow[]): void {
  const problems = rows.flatMap((row) => {
    const value = row.cells.get('aggregate') ?? '';
    if (value === '' || parseAggregateCell(value)) return [];
    return [`line ${row.line}: aggregate "${value}" is not function(input, windowMs), e.g. avg({plc/flow}, 60000)`];
  });
  if (problems.length > 0) throw new GatewayError('invalid-config', 'the CSV has aggregates it cannot read', problems);
}

/** Makes Excel read the file as UTF-8 (°C, µS, names in any script); every CSV reader skips it. */
const UTF8_BOM = '\uFEFF';

/**
 * How an import treats the device's tags: `replace` makes them exactly the file's rows;
 * `merge` adds and updates the rows in the file and keeps every other tag.
 */
export type CsvImportMode = 'replace' | 'merge';

/** A value as a CSV cell: text that a spreadsheet would run as a formula is escaped; numbers stay numbers. */
function cell(value: unknown): unknown {
  return typeof value === 'string' ? escapeFormula(value) : (value ?? '');
}

/** Computed tags' columns, written only for a device that has such tags (other exports stay as they were). */
const COMPUTED_COLUMNS = new Set<Column>(['expression', 'aggregate']);

export function tagsToCsv(device: DeviceConfig): string {
  const tags = device.groups.flatMap((g) => g.tags as Array<Record<string, unknown>>);
  const columns = TAG_CSV_COLUMNS.filter(
    (c) => !COMPUTED_COLUMNS.has(c) || tags.some((t) => t.expression !== undefined || t.aggregate !== undefined),
  );
  const rows = device.groups.flatMap((g) =>
    g.tags.map((t) =>
      columns.map((c) => {
        if (c === 'group') return cell(g.name);
        const value = (t as Record<string, unknown>)[c];
        return cell(c === 'aggregate' && value ? aggregateCell(value as AggregateFields) : value);
      }),
    ),
  );
  // Quoted when it starts or ends with whitespace: the import trims unquoted cells only.
  return UTF8_BOM + csvStringify().stringify([[...columns], ...rows], { quoted_match: /^\s|\s$/ });
}

interface CsvRow {
  line: number;
  group: string;
  /** The row's cells by column (columns the file has; an empty cell is ''). */
  cells: Map<Column, string>;
}

/** The file's rows, with the header read case-insensitively and the delimiter it uses. */
function readRows(csv: string): { rows: CsvRow[]; delimiter: CsvDelimiter } {
  const delimiter = detectDelimiter(csv);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // A row may stop early (cells left out at the end are empty), as spreadsheets write them.
    records = csvParse().parse(csv, {
      bom: true,
      delimiter,
      skip_empty_lines: true,
      trim: true,
      relax_column_count_less: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    throw new GatewayError('invalid-config', 'the CSV cannot be read', [(err as Error).message]);
  }
  const [header, ...data] = records;
  if (!header) throw new GatewayError('invalid-config', 'the CSV is empty', ['line 1: a header row is required']);
  const columns = header.record.map((h) => columnOf(h, TAG_CSV_COLUMNS));
  const problems = header.record.flatMap((h, k) => {
    const column = columns[k];
    if (!column) return [`line 1: unknown column "${h}" (columns: ${TAG_CSV_COLUMNS.join(', ')})`];
    return columns.indexOf(column) < k ? [`line 1: column "${column}" appears twice ("${h}")`] : [];
  });
  for (const required of ['group', 'name'] as const) {
    if (!columns.includes(required)) problems.push(`line 1: column "${required}" is required`);
  }
  // A tag is read from an address, or computed from an expression or aggregate (SPEC §3.4).
  if (!columns.some((c) => c === 'address' || c === 'expression' || c === 'aggregate')) {
    problems.push('line 1: column "address" is required (or "expression"/"aggregate" for computed tags)');
  }
  if (problems.length > 0) throw new GatewayError('invalid-config', 'the CSV header is wrong', problems);
  const rows = data.map(({ record, info }) => {
    const cells = new Map<Column, string>();
    columns.forEach((column, k) => {
      if (column) cells.set(column, unescapeFormula(record[k] ?? ''));
    });
    return { line: info.lines, group: cells.get('group') ?? '', cells };
  });
  return { rows, delimiter };
}

/** `tag` with the row's cells set (an empty cell removes the field: its default applies). */
function withCells(tag: Record<string, unknown>, row: CsvRow, delimiter: CsvDelimiter): TagConfig {
  const next = { ...tag };
  for (const [column, value] of row.cells) {
    if (column === 'group') continue;
    if (value === '') delete next[column];
    else if (column === 'aggregate') next[column] = parseAggregateCell(value);
    else next[column] = NUMERIC.has(column) ? numberCell(value, delimiter) : value;
  }
  return next as TagConfig;
}

export interface DeviceWithCsvTags {
  device: DeviceConfig;
  /** The CSV line a tag of the resulting device came from; undefined for a tag the file did not have. */
  lineOf: (group: number, tag: number) => number | undefined;
  /** The CSV lines of a group the file made (a group name the device did not have); undefined for the device's groups. */
  newGroupLines: (group: number) => number[] | undefined;
}

/**
 * The device with the CSV's rows as tags (groups matched by name; a new group name makes a
 * group with default settings). `replace` drops the tags the file does not have; `merge`
 * keeps them and updates a tag of the same name in place, leaving the fields of columns the
 * file lacks as they were (a row in another group moves the tag there). Rows on the lines
 * of `skipLines` are left out, as if they were not in the file.
 */
export function deviceWithCsvTags(
  device: DeviceConfig,
  csv: string,
  opts: { mode?: CsvImportMode; skipLines?: ReadonlySet<number> } = {},
): DeviceWithCsvTags {
  const merge = opts.mode === 'merge';
  const { rows, delimiter } = readRows(csv);
  checkAggregateCells(rows);
  const groups = new Map<string, GroupConfig>();
  const original = new Map(device.groups.map((g) => [g.name, g]));
  const lineOfTag = new Map<TagConfig, number>();
  for (const g of device.groups) groups.set(g.name, { ...g, tags: merge ? [...g.tags] : [] });
  /** Tags the file already updated: a second row of the same name is added, so validation reports the duplicate. */
  const fromFile = new Set<string>();
  const newGroupLines = new Map<GroupConfig, number[]>();
  for (const row of rows) {
    if (opts.skipLines?.has(row.line)) continue;
    const name = row.cells.get('name') ?? '';
    const existing = merge && !fromFile.has(name) ? findTag(groups, name) : undefined;
    fromFile.add(name);
    // Merging, an empty group cell leaves the tag in its group.
    const groupName = row.group === '' && existing ? existing.group.name : row.group;
    let group = groups.get(groupName);
    if (!group) {
      group = { name: groupName, tags: [] } as unknown as GroupConfig;
      groups.set(groupName, group);
      newGroupLines.set(group, []);
    }
    newGroupLines.get(group)?.push(row.line);
    const tag = withCells(existing ? (existing.tag as Record<string, unknown>) : {}, row, delimiter);
    // The file has no alarms column: replacing a tag by a row of the same name keeps its alarms.
    const alarms = existing ? undefined : findTag(original, name)?.tag.alarms;
    if (alarms !== undefined && tag.alarms === undefined) tag.alarms = alarms;
    if (existing && existing.group === group) group.tags[existing.index] = tag;
    else {
      if (existing) existing.group.tags.splice(existing.index, 1);
      group.tags.push(tag);
    }
    lineOfTag.set(tag, row.line);
  }
  const result = [...groups.values()].filter((g) => g.tags.length > 0 || device.groups.some((o) => o.name === g.name));
  return {
    device: { ...device, groups: result },
    lineOf: (group, tag) => {
      const t = result[group]?.tags[tag];
      return t ? lineOfTag.get(t) : undefined;
    },
    newGroupLines: (group) => newGroupLines.get(result[group] as GroupConfig),
  };
}

function findTag(groups: Map<string, GroupConfig>, name: string) {
  for (const group of groups.values()) {
    const index = group.tags.findIndex((t) => t.name === name);
    if (index !== -1) return { group, index, tag: group.tags[index] as TagConfig };
  }
  return undefined;
}
