import type { TSchema } from '@sinclair/typebox';
import { GatewayError } from '../errors.js';
import type { PluginRegistry } from '../registry.js';
import type { Config } from './schema.js';

/** Stands for a stored secret in what the API returns; sent back unchanged, it keeps the secret. */
export const SECRET_PLACEHOLDER = '********';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths (key lists) of the settings marked `x-ui: { secret: true }` in a settings schema. */
function secretPaths(schema: TSchema, prefix: string[] = []): string[][] {
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!props) return [];
  return Object.entries(props).flatMap(([key, sub]) => {
    const path = [...prefix, key];
    const ui = (sub as { 'x-ui'?: { secret?: boolean } })['x-ui'];
    return ui?.secret ? [path] : secretPaths(sub, path);
  });
}

function visit(settings: unknown, path: string[], fn: (holder: Json, key: string) => void): void {
  let holder: unknown = settings;
  for (const key of path.slice(0, -1)) holder = isObject(holder) ? holder[key] : undefined;
  const last = path[path.length - 1] as string;
  if (isObject(holder) && typeof holder[last] === 'string') fn(holder, last);
}

function eachSecret(
  doc: Json,
  registry: PluginRegistry,
  fn: (kind: 'devices' | 'north', name: string, settings: Json, path: string[]) => void,
): void {
  for (const kind of ['devices', 'north'] as const) {
    const list = Array.isArray(doc[kind]) ? (doc[kind] as unknown[]) : [];
    for (const item of list) {
      if (!isObject(item) || !isObject(item.settings) || typeof item.name !== 'string') continue;
      const type = kind === 'devices' ? item.driver : item.plugin;
      const manifest =
        typeof type === 'string'
          ? kind === 'devices'
            ? registry.drivers.get(type)
            : registry.north.get(type)
          : undefined;
      if (!manifest) continue;
      for (const path of secretPaths(manifest.settingsSchema)) fn(kind, item.name, item.settings, path);
    }
  }
}

/** The configuration as the API shows it: every secret replaced by the placeholder. */
export function redactSecrets(config: Config, registry: PluginRegistry): Json {
  const copy = structuredClone(config) as unknown as Json;
  eachSecret(copy, registry, (_kind, _name, settings, path) => {
    visit(settings, path, (holder, key) => {
      holder[key] = SECRET_PLACEHOLDER;
    });
  });
  return copy;
}

/**
 * A document sent to the API with placeholders where secrets were: each placeholder is
 * replaced by the stored secret of the device or north app of the same name. Throws
 * GatewayError('invalid-config') naming every placeholder with nothing stored behind it.
 */
export function restoreSecrets(input: unknown, current: Config, registry: PluginRegistry): unknown {
  if (!isObject(input)) return input;
  const doc = structuredClone(input);
  const stored = current as unknown as Json;
  const errors: string[] = [];
  eachSecret(doc, registry, (kind, name, settings, path) => {
    visit(settings, path, (holder, key) => {
      if (holder[key] !== SECRET_PLACEHOLDER) return;
      const source = (stored[kind] as Json[]).find((x) => x.name === name);
      let value: unknown = source?.settings;
      for (const k of path) value = isObject(value) ? value[k] : undefined;
      if (typeof value === 'string') holder[key] = value;
      else {
        const index = (doc[kind] as Json[]).findIndex((x) => x.name === name);
        errors.push(
          `${kind}[${index}].settings.${path.join('.')}: "${SECRET_PLACEHOLDER}" stands for a stored secret, but "${name}" has none; enter the value`,
        );
      }
    });
  });
  if (errors.length > 0) throw new GatewayError('invalid-config', 'the configuration is invalid', errors);
  return doc;
}

/** Setting names that hold a secret whatever the plugin (for documents no plugin can vouch for). */
const SECRET_NAME = /pass(word|phrase)?|secret|token|private|^key$|Key$/i;

/**
 * `redactSecrets` for a document that does not validate (a history entry from an older
 * version, a plugin no longer installed): besides the secrets the plugins declare, every
 * setting whose name looks like a secret is hidden.
 */
export function redactAnySecrets(doc: unknown, registry: PluginRegistry): Json {
  const copy = redactSecrets(doc as Config, registry);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'string' && SECRET_NAME.test(k)) node[k] = SECRET_PLACEHOLDER;
        else walk(v);
      }
    }
  };
  walk(copy);
  return copy;
}
