import type { JsonSchema } from './types';

/** The allowed values of an enum-like schema (`enum`, or TypeBox's `anyOf` of `const`s); undefined if none. */
export function enumOptions(s: JsonSchema): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  if (Array.isArray(s.anyOf) && s.anyOf.length > 0 && s.anyOf.every((o) => 'const' in o)) {
    return s.anyOf.map((o) => o.const);
  }
  return undefined;
}

/** The JSON type of a field, also for enum-like unions. */
export function schemaType(s: JsonSchema): string | undefined {
  if (s.type) return s.type;
  const first = s.anyOf?.[0];
  return first?.type;
}

export const isSecret = (s: JsonSchema) => s['x-ui']?.secret === true;

/** Object properties with their defaults filled in (recursively), as the gateway would. */
export function withDefaults(schema: JsonSchema, value: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && prop.default !== undefined) out[key] = structuredClone(prop.default);
    if (schemaType(prop) === 'object' && prop.properties && out[key] && typeof out[key] === 'object') {
      out[key] = withDefaults(prop, out[key] as Record<string, unknown>);
    }
  }
  return out;
}

/** Keeps only values that still fit a new schema (e.g. when the driver changes). */
export function keepFitting(schema: JsonSchema, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const v = value[key];
    if (v === undefined) continue;
    const type = schemaType(prop);
    const options = enumOptions(prop);
    if (options && !options.includes(v)) continue;
    if ((type === 'integer' || type === 'number') && typeof v !== 'number') continue;
    if (type === 'string' && typeof v !== 'string') continue;
    if (type === 'boolean' && typeof v !== 'boolean') continue;
    out[key] = v;
  }
  return out;
}

const WORDS: Record<string, string> = {
  id: 'id',
  url: 'URL',
  qos: 'QoS',
  tls: 'TLS',
  ca: 'CA',
  uns: 'UNS path',
  ms: '(ms)',
  seconds: '(seconds)',
};

/** `maxRegistersPerRead` → "Max registers per read", `timeoutMs` → "Timeout (ms)". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .map((w) => w.toLowerCase());
  const text = words.map((w) => WORDS[w] ?? w).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const fieldLabel = (key: string, s: JsonSchema) => s.title ?? humanize(key);

/** Follows `properties.a.items.properties.b…` through the config schema. */
export function subSchema(root: JsonSchema, path: string[]): JsonSchema | undefined {
  let s: JsonSchema | undefined = root;
  for (const part of path) {
    if (!s) return undefined;
    s = part === '[]' ? s.items : s.properties?.[part];
  }
  return s;
}

/**
 * The schema of one configuration item (a device, model or north app) with its plugin's
 * settings schema in place of the generic `settings`: titles and ranges for the form's messages.
 */
export function itemSchemaWithSettings(item: JsonSchema, settings: JsonSchema | undefined): JsonSchema {
  return { ...item, properties: { ...item.properties, ...(settings ? { settings } : {}) } };
}
