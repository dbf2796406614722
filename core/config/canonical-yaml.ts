import type * as Yaml from 'yaml';
import { lazyModule } from '../lazy-module.js';

const yaml = lazyModule<typeof Yaml>('yaml');

/** Keys sorted, `name` first: two documents that differ only in key order print the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'bigint') return value;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a === 'name' ? -1 : b === 'name' ? 1 : a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** YAML to compare configurations line by line (history diffs): stable key order. */
export function canonicalYaml(config: unknown): string {
  return yaml().stringify(canonical(config), { lineWidth: 0 });
}
