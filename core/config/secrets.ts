import type { TSchema } from '@sinclair/typebox';
import { GatewayError } from '../errors.js';
import type { PluginRegistry } from '../registry.js';
import type { Config } from './schema.js';
import { replaceUserinfo, splitUserinfo, withoutUserinfo } from './url-userinfo.js';

/** Stands for a stored secret in what the API returns; sent back unchanged, it keeps the secret. */
export const SECRET_PLACEHOLDER = '********';

type Json = Record<string, unknown>;
type Kind = 'devices' | 'north' | 'models';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Paths (key lists) of the settings marked `x-ui: { [mark]: true }` in a settings schema:
 * `secret` for passwords and keys, `endpoint` for where the connection (and so the secrets) goes.
 */
function markedPaths(schema: TSchema, mark: 'secret' | 'endpoint', prefix: string[] = []): string[][] {
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!props) return [];
  return Object.entries(props).flatMap(([key, sub]) => {
    const path = [...prefix, key];
    const ui = (sub as { 'x-ui'?: Record<string, unknown> })['x-ui'];
    return ui?.[mark] === true ? [path] : markedPaths(sub, mark, path);
  });
}

function valueAt(settings: unknown, path: string[]): unknown {
  let value = settings;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return value;
}

function visit(settings: unknown, path: string[], fn: (holder: Json, key: string) => void): void {
  const holder = valueAt(settings, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  if (isObject(holder) && typeof holder[last] === 'string') fn(holder, last);
}

/** Every string in `settings`, however deep, with its path. */
function eachString(settings: Json, fn: (holder: Json, key: string, path: string[]) => void, prefix: string[] = []) {
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'string') fn(settings, key, [...prefix, key]);
    else if (isObject(value)) eachString(value, fn, [...prefix, key]);
  }
}

/** A device or north app of a document, with the settings schema of its plugin (if installed). */
interface Item {
  kind: Kind;
  index: number;
  name: string;
  settings: Json;
  schema?: TSchema;
}

/** The driver of a device: its own, or its model's. */
function driverOf(doc: Json, item: Json): unknown {
  if (item.driver !== undefined || item.model === undefined) return item.driver;
  const models = Array.isArray(doc.models) ? (doc.models as unknown[]) : [];
  const model = models.find((m) => isObject(m) && m.name === item.model);
  return isObject(model) ? model.driver : undefined;
}

function itemsOf(doc: Json, registry: PluginRegistry): Item[] {
  return (['models', 'devices', 'north'] as const).flatMap((kind) => {
    const list = Array.isArray(doc[kind]) ? (doc[kind] as unknown[]) : [];
    return list.flatMap((item, index) => {
      if (!isObject(item) || !isObject(item.settings) || typeof item.name !== 'string') return [];
      const type = kind === 'north' ? item.plugin : driverOf(doc, item);
      const plugins = kind === 'north' ? registry.north : registry.drivers;
      const schema = typeof type === 'string' ? plugins.get(type)?.settingsSchema : undefined;
      return [{ kind, index, name: item.name, settings: item.settings, schema }];
    });
  });
}

/**
 * The configuration as the API shows it: every secret replaced by the placeholder, and so
 * are the credentials in any URL of the settings (`mqtt://********@host`).
 */
export function redactSecrets(config: Config, registry: PluginRegistry): Json {
  const copy = structuredClone(config) as unknown as Json;
  for (const item of itemsOf(copy, registry)) {
    for (const path of item.schema ? markedPaths(item.schema, 'secret') : []) {
      visit(item.settings, path, (holder, key) => {
        holder[key] = SECRET_PLACEHOLDER;
      });
    }
    eachString(item.settings, (holder, key) => {
      holder[key] = replaceUserinfo(holder[key] as string, SECRET_PLACEHOLDER);
    });
  }
  return copy;
}

/** The endpoint settings of `item` that differ from the stored item's (credentials in a URL aside). */
function changedEndpoints(item: Item, stored: Json | undefined): string[] {
  const paths = item.schema ? markedPaths(item.schema, 'endpoint') : [];
  const where = (value: unknown) => (typeof value === 'string' ? withoutUserinfo(value) : value);
  return paths
    .filter((path) => where(valueAt(item.settings, path)) !== where(valueAt(stored?.settings, path)))
    .map((path) => path.join('.'));
}

/** Puts the stored secrets of `stored` back into `item`, or adds why one cannot be put back to `errors`. */
function restoreItem(item: Item, stored: Json | undefined, errors: string[]): void {
  const changed = changedEndpoints(item, stored);
  const at = (path: string[]) => `${item.kind}[${item.index}].settings.${path.join('.')}`;
  const endpointChanged = `the endpoint changed (${changed.join(', ')}), and a stored secret is only sent to the endpoint it was entered for`;
  for (const path of item.schema ? markedPaths(item.schema, 'secret') : []) {
    visit(item.settings, path, (holder, key) => {
      if (holder[key] !== SECRET_PLACEHOLDER) return;
      const value = valueAt(stored?.settings, path);
      if (typeof value !== 'string') {
        errors.push(
          `${at(path)}: "${SECRET_PLACEHOLDER}" stands for a stored secret, but "${item.name}" has none; enter the value`,
        );
      } else if (changed.length > 0) errors.push(`${at(path)}: enter the ${path.join('.')} again: ${endpointChanged}`);
      else holder[key] = value;
    });
  }
  eachString(item.settings, (holder, key, path) => {
    const sent = holder[key] as string;
    if (splitUserinfo(sent)?.userinfo !== SECRET_PLACEHOLDER) return;
    const value = valueAt(stored?.settings, path);
    if (typeof value !== 'string' || !splitUserinfo(value)) {
      errors.push(
        `${at(path)}: "${SECRET_PLACEHOLDER}@" stands for the user and password stored in this URL, but "${item.name}" has none there; enter them`,
      );
    } else if (changed.length > 0 || withoutUserinfo(value) !== withoutUserinfo(sent)) {
      const why = changed.length > 0 ? endpointChanged : 'the URL changed';
      errors.push(`${at(path)}: enter the user and password in the URL again: ${why}`);
    } else holder[key] = value;
  });
}

/**
 * A document sent to the API with placeholders where secrets were: each placeholder is
 * replaced by the stored secret of the device or north app of the same name, and a URL's
 * `********@` by the credentials stored in that URL. A stored secret is only sent where it
 * was entered for: when an item's endpoint (e.g. a broker `url`, an OPC UA `endpointUrl`)
 * changes, its secrets must be entered again. Throws GatewayError('invalid-config') naming
 * every placeholder that cannot be restored.
 */
export function restoreSecrets(input: unknown, current: Config, registry: PluginRegistry): unknown {
  if (!isObject(input)) return input;
  const doc = structuredClone(input);
  const errors: string[] = [];
  for (const item of itemsOf(doc, registry)) {
    restoreItem(
      item,
      ((current[item.kind] ?? []) as unknown as Json[]).find((x) => x.name === item.name),
      errors,
    );
  }
  if (errors.length > 0) throw new GatewayError('invalid-config', 'the configuration is invalid', errors);
  return doc;
}

/** Setting names that hold a secret whatever the plugin (for documents no plugin can vouch for). */
const SECRET_NAME = /pass(word|phrase)?|secret|token|private|^key$|Key$/i;

/**
 * `redactSecrets` for a document that does not validate (a history entry from an older
 * version, a plugin no longer installed): besides the secrets the plugins declare, every
 * setting whose name looks like a secret is hidden, and the credentials in any URL.
 */
export function redactAnySecrets(doc: unknown, registry: PluginRegistry): Json {
  const copy = redactSecrets(doc as Config, registry);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (typeof v === 'string' && SECRET_NAME.test(k)) node[k] = SECRET_PLACEHOLDER;
        else if (typeof v === 'string') node[k] = replaceUserinfo(v, SECRET_PLACEHOLDER);
        else walk(v);
      }
    }
  };
  walk(copy);
  return copy;
}

/**
 * Where a document holds the placeholder instead of a secret, as `path: message` — e.g. a
 * file downloaded from the API given to `tagwire import`, which has no stored secrets to
 * put back and would otherwise store the placeholder as the password.
 */
export function placeholdersIn(doc: unknown, registry: PluginRegistry): string[] {
  if (!isObject(doc)) return [];
  const found: string[] = [];
  for (const item of itemsOf(doc, registry)) {
    eachString(item.settings, (holder, key, path) => {
      const value = holder[key] as string;
      if (value !== SECRET_PLACEHOLDER && splitUserinfo(value)?.userinfo !== SECRET_PLACEHOLDER) return;
      found.push(
        `${item.kind}[${item.index}].settings.${path.join('.')}: "${SECRET_PLACEHOLDER}" stands for a secret the API hides; put the real value in the file (or upload the file through the API, which keeps the stored one)`,
      );
    });
  }
  return found;
}
