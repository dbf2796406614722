import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * One Ajv instance for every schema in the gateway: defaults filled in, all errors
 * collected, unknown keys refused by `additionalProperties: false` in the schemas.
 */
// verbose: errors carry their parentSchema, which holds the human pattern hint.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, coerceTypes: false, verbose: true });
// `patternHint` gives a human explanation of a pattern; `x-…` keys carry UI hints.
ajv.addKeyword({ keyword: 'patternHint', schemaType: 'string' });
ajv.addKeyword({ keyword: 'x-ui', schemaType: 'object' });

const cache = new WeakMap<TSchema, ValidateFunction>();

export function compile(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/** `/devices/0/groups/1/intervalMs` → `devices[0].groups[1].intervalMs`. */
export function pointerToPath(pointer: string, prefix = ''): string {
  let path = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  }
  return path;
}

function describe(err: ErrorObject): { at: string; message: string } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties':
      return { at: `/${p.additionalProperty}`, message: 'unknown key' };
    case 'required':
      return { at: `/${p.missingProperty}`, message: 'is required' };
    case 'enum':
      return { at: '', message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { at: '', message: `must be ${String(p.allowedValue)}` };
    case 'pattern': {
      const hint = (err.parentSchema as { patternHint?: string } | undefined)?.patternHint;
      return { at: '', message: hint ? `must be ${hint}` : `must match ${p.pattern}` };
    }
    case 'type':
      return {
        at: '',
        message: `must be ${String(p.type)
          .replace('integer', 'an integer')
          .replace(/^(string|number|boolean|null)$/, 'a $1')
          .replace(/^(object|array)$/, 'an $1')}`,
      };
    default:
      return { at: '', message: err.message ?? 'is invalid' };
  }
}

/**
 * Ajv's errors as `path: message` lines, one per problem. A failed union (anyOf of
 * literals) is reported once as "must be one of …" instead of one line per branch.
 */
export function formatErrors(errors: ErrorObject[] | null | undefined, prefix = ''): string[] {
  if (!errors) return [];
  const out: string[] = [];
  const unions = new Map<string, string[]>();
  for (const err of errors) {
    const inUnion = err.schemaPath.includes('/anyOf/');
    if (inUnion && err.keyword === 'const') {
      const list = unions.get(err.instancePath) ?? [];
      list.push(String((err.params as { allowedValue: unknown }).allowedValue));
      unions.set(err.instancePath, list);
      continue;
    }
    if (err.keyword === 'anyOf') {
      if (unions.has(err.instancePath)) continue;
      out.push(`${pointerToPath(err.instancePath, prefix) || '(root)'}: ${err.message ?? 'is invalid'}`);
      continue;
    }
    if (inUnion && err.keyword === 'type') continue;
    const { at, message } = describe(err);
    out.push(`${pointerToPath(err.instancePath + at, prefix) || '(root)'}: ${message}`);
  }
  for (const [pointer, allowed] of unions) {
    out.push(`${pointerToPath(pointer, prefix) || '(root)'}: must be one of ${allowed.join(', ')}`);
  }
  return [...new Set(out)];
}

/** Validates in place (defaults are written into `data`) and returns `path: message` lines. */
export function validateWith(schema: TSchema, data: unknown, prefix = ''): string[] {
  const fn = compile(schema);
  return fn(data) ? [] : formatErrors(fn.errors, prefix);
}
