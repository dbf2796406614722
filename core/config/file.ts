import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import { GatewayError } from '../errors.js';
import { lazyModule } from '../lazy-module.js';
import type { Config } from './schema.js';

const yaml = lazyModule<typeof Yaml>('yaml');

/** Parses a YAML or JSON document (YAML is a superset of JSON); syntax errors name the line. */
export function parseConfigText(text: string, source: string): unknown {
  if (/^\s*\{/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Not valid JSON after all: the YAML parser below names the line of the problem.
    }
  }
  const doc = yaml().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const details = doc.errors.map((e) => {
      const line = e.linePos?.[0];
      return `${source}${line ? `:${line.line}:${line.col}` : ''}: ${e.message.split('\n')[0]}`;
    });
    throw new GatewayError('invalid-config', `${source} is not valid YAML/JSON`, details);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GatewayError('invalid-config', `cannot read ${path}`, [
      `${path}: ${code === 'ENOENT' ? 'no such file' : String(err)}`,
    ]);
  }
  return parseConfigText(text, path);
}

export function formatConfig(config: Config, format: 'yaml' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(config, null, 2)}\n` : yaml().stringify(config, { lineWidth: 0 });
}
