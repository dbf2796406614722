import { ApiError } from './api';
import { parseDetail } from './config-edit';
import { humanize } from './schema-util';
import type { JsonSchema } from './types';

/**
 * The gateway's validation messages (`devices[0].settings.unitId: must be <= 255`) in a plant
 * engineer's words ("Unit id must be 0–255"), using the schema's titles and ranges. The API
 * keeps the document path in its details; the UI shows the field.
 */

export { explainCode } from './plugins';

/** Units carried in property names: `intervalMs` is the "Interval", in ms. */
const UNIT_SUFFIXES: Array<[RegExp, string]> = [
  [/Ms$/, 'ms'],
  [/Seconds$/, 's'],
];

/** The schema of the property at `parts` (array indices skipped). */
function schemaAt(root: JsonSchema | undefined, parts: string[]): JsonSchema | undefined {
  let s = root;
  for (const part of parts) {
    if (!s) return undefined;
    s = s.properties?.[part] ?? s.items?.properties?.[part];
  }
  return s;
}

/** `devices[0].settings.unitId` → `['devices', 'settings', 'unitId']`. */
function pathParts(path: string): string[] {
  return path
    .replace(/\[\d+\]/g, '')
    .split('.')
    .filter(Boolean);
}

function labelOf(key: string, schema: JsonSchema | undefined): { label: string; unit: string } {
  for (const [suffix, unit] of UNIT_SUFFIXES) {
    if (suffix.test(key)) return { label: schema?.title ?? humanize(key.replace(suffix, '')), unit: ` ${unit}` };
  }
  return { label: schema?.title ?? humanize(key), unit: '' };
}

/** Ranges up to this are shown whole ("0–255"); wider ones by the bound that was crossed. */
const SHOW_WHOLE_RANGE = 65_535;

function rangeMessage(label: string, unit: string, s: JsonSchema | undefined, crossed: 'min' | 'max'): string | null {
  const min = s?.minimum;
  const max = s?.maximum;
  if (min !== undefined && max !== undefined && max - min <= SHOW_WHOLE_RANGE) {
    return `${label} must be ${min}–${max}${unit}`;
  }
  if (crossed === 'min' && min !== undefined) return `${label} must be at least ${min}${unit}`;
  if (crossed === 'max' && max !== undefined) return `${label} must be at most ${max}${unit}`;
  return null;
}

const DUPLICATE = /^duplicate (device|north app|group) name "(.*)" \(also at [^)]*\)$/;
const DUPLICATE_TOPIC = /^duplicate device topic "(.*)" \(also at [^)]*\)$/;
const DUPLICATE_TAG = /^duplicate tag name in this device "(.*)" \(also at [^)]*\)$/;

/** One message, about the field at `path`, in words; `schema` is the document (or item) schema. */
export function humanMessage(path: string, raw: string, schema: JsonSchema | undefined): string {
  const parts = pathParts(path);
  const key = parts[parts.length - 1];
  if (!key || key === '(root)') return sentenceCase(raw);
  const field = schemaAt(schema, parts);
  const { label, unit } = labelOf(key, field);

  const duplicate = DUPLICATE.exec(raw);
  if (duplicate) return `A ${duplicate[1]} named ${duplicate[2]} already exists`;
  const duplicateTag = DUPLICATE_TAG.exec(raw);
  if (duplicateTag) return `A tag named ${duplicateTag[1]} already exists in this device`;
  const duplicateTopic = DUPLICATE_TOPIC.exec(raw);
  if (duplicateTopic) return `Another device already publishes under ${duplicateTopic[1]}`;
  // Where else in the document a clash is, is the document's business, not the form's.
  const message = raw.replace(/ \(also at [^)]*\)$/, '');
  if (message === 'is required' || message === 'must NOT have fewer than 1 characters') return `${label} is required`;
  if (message === 'unknown key') return `“${key}” is not a known setting`;
  if (/^must be >=? /.test(message)) return rangeMessage(label, unit, field, 'min') ?? `${label} ${message}`;
  if (/^must be <=? /.test(message)) return rangeMessage(label, unit, field, 'max') ?? `${label} ${message}`;
  if (message === 'must be an integer') return `${label} must be a whole number`;
  const longer = /^must NOT have more than (\d+) characters$/.exec(message);
  if (longer) return `${label} must be at most ${longer[1]} characters`;
  if (/^(must|is|has|needs|only) /.test(message) || message.startsWith('"')) return `${label} ${message}`;
  return `${label}: ${message}`;
}

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Details (`path: message`) as human messages keyed by the path below `prefix` (e.g.
 * `devices[2].` → `settings.port`), for the messages under each field. A field that is
 * missing shows only "X is required", not also the pattern it does not match.
 */
export function humanFieldErrors(details: string[], prefix: string, schema: JsonSchema | undefined) {
  const map = new Map<string, string[]>();
  for (const d of details) {
    const { path, message } = parseDetail(d);
    const key = path.startsWith(prefix) ? path.slice(prefix.length) : path === prefix.replace(/\.$/, '') ? '' : path;
    const text = humanMessage(key, message, schema);
    const list = map.get(key) ?? [];
    if (list.some((m) => m.endsWith(' is required'))) continue;
    map.set(key, text.endsWith(' is required') ? [text] : [...list, text]);
  }
  return map;
}

/** An API error with its details also in words, as the forms show them. */
export class ReadableApiError extends ApiError {
  constructor(
    err: ApiError,
    readonly readable: string[],
  ) {
    super(err.status, err.code, err.message, err.details);
  }
}

/**
 * The same error with its details in words (no document paths), for an error box; the
 * details as the API sent them stay with it (shown folded, for support).
 */
export function humanApiError(err: ApiError, prefix: string, schema: JsonSchema | undefined): ApiError {
  if (err.code !== 'invalid-config' || err.details.length === 0) return err;
  return new ReadableApiError(err, [...humanFieldErrors(err.details, prefix, schema).values()].flat());
}
