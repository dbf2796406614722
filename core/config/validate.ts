import { type TObject, Type } from '@sinclair/typebox';
import { checkAlarms } from '../alarms/validate-alarms.js';
import { type DriverManifest, MISSING_ADDRESS } from '../plugin.js';
import type { PluginRegistry } from '../registry.js';
import { validateWith } from './ajv.js';
import { buildDevice, checkModels, ModelErrors } from './model-checks.js';
import { deviceOf } from './models.js';
import type { Config, DeviceConfig, DeviceEntry, GroupConfig, ModelConfig, NorthConfig, TagConfig } from './schema.js';

export type ValidationResult = { ok: true; config: Config } | { ok: false; errors: string[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Reports every name that appears twice, as `path: duplicate name "x" (also at other)`. */
function checkUnique(names: Array<{ name: unknown; path: string }>, what: string, errors: string[]): void {
  const seen = new Map<string, string>();
  for (const { name, path } of names) {
    if (typeof name !== 'string') continue;
    const first = seen.get(name);
    if (first) errors.push(`${path}: duplicate ${what} "${name}" (also at ${first})`);
    else seen.set(name, path);
  }
}

/**
 * Per driver: the schema of its tag fields that the configuration schema does not already
 * check as the driver declares them (core fields it narrows, fields another driver declares
 * differently); null when there are none, so most tags need no second look.
 */
const ownFieldSchemas = new WeakMap<PluginRegistry, Map<string, TObject | null>>();

function ownFieldSchema(manifest: DriverManifest, registry: PluginRegistry): TObject | null {
  let perDriver = ownFieldSchemas.get(registry);
  if (!perDriver) {
    perDriver = new Map();
    ownFieldSchemas.set(registry, perDriver);
  }
  let schema = perDriver.get(manifest.name);
  if (schema === undefined) {
    const own = Object.entries(manifest.tagFields ?? {}).filter(
      ([field, fieldSchema]) => registry.mergedTagFields[field] !== fieldSchema,
    );
    schema = own.length > 0 ? Type.Object(Object.fromEntries(own)) : null;
    perDriver.set(manifest.name, schema);
  }
  return schema;
}

/**
 * A tag's fields against its device's driver: the fields the driver declares (valid by its
 * schema) and none that only another driver uses (`byteOrder` on an OPC UA tag).
 */
function checkDriverTagFields(
  tag: TagConfig,
  manifest: DriverManifest,
  registry: PluginRegistry,
  at: string,
  errors: string[],
): void {
  for (const field of Object.keys(tag)) {
    if (registry.driverTagFields.has(field) && !(manifest.tagFields && field in manifest.tagFields)) {
      errors.push(`${at}.${field}: not used by ${manifest.title} devices`);
    }
  }
  const schema = ownFieldSchema(manifest, registry);
  if (schema) errors.push(...validateWith(schema, tag, at));
}

function checkDevice(device: DeviceConfig, i: number, registry: PluginRegistry, errors: string[]): void {
  const at = `devices[${i}]`;
  if (!isRecord(device)) return;
  const groups = Array.isArray(device.groups) ? device.groups : [];
  checkUnique(
    groups.map((g, j) => ({ name: g?.name, path: `${at}.groups[${j}].name` })),
    'group name',
    errors,
  );
  checkUnique(
    groups.flatMap((g, j) =>
      (Array.isArray(g?.tags) ? g.tags : []).map((t, k) => ({
        name: t?.name,
        path: `${at}.groups[${j}].tags[${k}].name`,
      })),
    ),
    'tag name in this device',
    errors,
  );
  const manifest = typeof device.driver === 'string' ? registry.drivers.get(device.driver) : undefined;
  if (!manifest) {
    if (typeof device.driver === 'string' && !errors.some((e) => e.startsWith(`${at}.driver:`))) {
      errors.push(
        `${at}.driver: driver "${device.driver}" is not available in this version ` +
          `(available: ${[...registry.drivers.keys()].join(', ')})`,
      );
    }
    return;
  }
  if (!isRecord(device.settings)) return;
  // Tags are checked even when settings have errors, so that every problem is reported at once.
  const settingErrors = validateWith(manifest.settingsSchema, device.settings, `${at}.settings`);
  errors.push(...settingErrors);
  if (settingErrors.length === 0 && manifest.checkSettings) {
    for (const e of manifest.checkSettings(device.settings)) errors.push(`${at}.settings.${e}`);
  }
  const derives = manifest.capabilities.derivesValues === true;
  groups.forEach((group, j) => {
    if (!isRecord(group)) return;
    checkTrigger(group, `${at}.groups[${j}]`, derives, errors);
    if (!Array.isArray(group.tags)) return;
    group.tags.forEach((tag, k) => {
      if (!isRecord(tag)) return;
      checkDriverTagFields(tag, manifest, registry, `${at}.groups[${j}].tags[${k}]`, errors);
      // Tags of a driver that derives values have no address; every other driver's need one.
      if (!derives && tag.address === undefined) {
        errors.push(`${at}.groups[${j}].tags[${k}].${MISSING_ADDRESS}`);
        return;
      }
      if (!derives && typeof tag.address !== 'string') return;
      const check = manifest.checkTag(tag, device.settings);
      for (const e of check.errors) errors.push(`${at}.groups[${j}].tags[${k}].${e}`);
      if (check.errors.length === 0 && check.defaults) Object.assign(tag, check.defaults);
    });
  });
}

/** `trigger` belongs to groups of devices that derive values; there it defaults to `change`. */
function checkTrigger(group: GroupConfig, at: string, derives: boolean, errors: string[]): void {
  if (derives) group.trigger ??= 'change';
  else if (group.trigger !== undefined) {
    errors.push(`${at}.trigger: only groups of devices whose values are computed from other tags have a trigger`);
  }
}

/** Checks against the whole configuration (references between devices), once every device is valid on its own. */
function checkAcrossDevices(devices: DeviceConfig[], registry: PluginRegistry, errors: string[]): void {
  devices.forEach((device, i) => {
    const manifest = registry.drivers.get(device.driver);
    if (manifest?.checkDevice) errors.push(...manifest.checkDevice(device, `devices[${i}]`, { devices }));
  });
}

function checkNorth(app: NorthConfig, i: number, deviceNames: Set<string>, registry: PluginRegistry, errors: string[]) {
  const at = `north[${i}]`;
  if (!isRecord(app)) return;
  if (Array.isArray(app.devices)) {
    app.devices.forEach((name, k) => {
      if (typeof name === 'string' && name !== '*' && !deviceNames.has(name)) {
        errors.push(`${at}.devices[${k}]: no device named "${name}"`);
      }
    });
  }
  const manifest = typeof app.plugin === 'string' ? registry.north.get(app.plugin) : undefined;
  if (!manifest) {
    if (typeof app.plugin === 'string' && !errors.some((e) => e.startsWith(`${at}.plugin:`))) {
      errors.push(
        `${at}.plugin: plugin "${app.plugin}" is not available in this version ` +
          `(available: ${[...registry.north.keys()].join(', ')})`,
      );
    }
    return;
  }
  if (isRecord(app.settings)) {
    const settingErrors = validateWith(manifest.settingsSchema, app.settings, `${at}.settings`);
    errors.push(...settingErrors);
    if (settingErrors.length === 0 && manifest.checkSettings) {
      for (const e of manifest.checkSettings(app.settings)) errors.push(`${at}.settings.${e}`);
    }
  }
}

/** Two tags of different devices must not publish to one topic (device `a` tag `b/x` vs device `a/b` tag `x`). */
function checkTopicCollisions(devices: Array<DeviceConfig | undefined>, errors: string[]): void {
  const seen = new Map<string, string>();
  devices.forEach((d, i) => {
    if (!isRecord(d) || typeof d.uns !== 'string' || !Array.isArray(d.groups)) return;
    d.groups.forEach((g, j) => {
      if (!Array.isArray(g?.tags)) return;
      g.tags.forEach((t, k) => {
        if (typeof t?.name !== 'string') return;
        const topic = d.uns ? `${d.uns}/${t.name}` : t.name;
        const path = `devices[${i}].groups[${j}].tags[${k}].name`;
        const first = seen.get(topic);
        if (first && !first.startsWith(`devices[${i}].`)) {
          errors.push(`${path}: topic "${topic}" is also published by ${first}`);
        } else if (!first) seen.set(topic, path);
      });
    });
  });
}

/** HTTPS needs a certificate and its key, or a self-signed one made by the gateway. */
function checkHttpTls(tls: { cert?: string; key?: string; selfSigned?: boolean } | undefined, errors: string[]): void {
  if (!tls) return;
  const path = 'gateway.http.tls';
  if (tls.selfSigned === true) {
    if (tls.cert !== undefined || tls.key !== undefined) {
      errors.push(`${path}: give either cert and key files or selfSigned: true, not both`);
    }
    return;
  }
  if (tls.cert === undefined) errors.push(`${path}.cert: the certificate file is required (or selfSigned: true)`);
  if (tls.key === undefined) errors.push(`${path}.key: the private key file is required (or selfSigned: true)`);
}

/**
 * Validates a whole configuration document: the schema, then each driver's and
 * plugin's own checks, then cross-references. Every problem is reported, as
 * `path: message`; the input is not modified. On success the result has every
 * default filled in and is frozen.
 */
export function validateConfig(input: unknown, registry: PluginRegistry): ValidationResult {
  if (!isRecord(input)) return { ok: false, errors: ['(root): must be an object with gateway, devices and north'] };
  const doc = structuredClone(input) as unknown as Config & Record<string, unknown>;
  const errors = validateWith(registry.configSchema, doc);
  const models: ModelConfig[] = Array.isArray(doc.models) ? doc.models : [];
  const entries: DeviceEntry[] = Array.isArray(doc.devices) ? doc.devices : [];
  const north: NorthConfig[] = Array.isArray(doc.north) ? doc.north : [];

  checkUnique(
    models.map((m, i) => ({ name: m?.name, path: `models[${i}].name` })),
    'model name',
    errors,
  );
  checkUnique(
    entries.map((d, i) => ({ name: d?.name, path: `devices[${i}].name` })),
    'device name',
    errors,
  );
  checkUnique(
    north.map((n, i) => ({ name: n?.name, path: `north[${i}].name` })),
    'north app name',
    errors,
  );
  const fromModels = new ModelErrors(models, entries);
  const check = (d: DeviceConfig, i: number, out: string[]) => checkDevice(d, i, registry, out);
  checkModels(models, fromModels, check, errors);
  // The device checks run on devices as the gateway runs them; what comes from a model is reported once.
  const devices = entries.map((d, i) => buildDevice(d, i, fromModels, errors));
  const raw: string[] = [];
  devices.forEach((d, i) => {
    if (d) checkDevice(d, i, registry, raw);
  });
  checkUnique(
    devices.map((d, i) => ({ name: d?.uns, path: `devices[${i}].uns` })),
    'device topic',
    raw,
  );
  checkTopicCollisions(devices, raw);
  checkAlarms(devices, raw);
  for (const e of raw) fromModels.route(e, errors);
  errors.push(...fromModels.messages());
  checkHttpTls(doc.gateway?.http?.tls, errors);
  const deviceNames = new Set(entries.map((d) => d?.name).filter((n): n is string => typeof n === 'string'));
  north.forEach((n, i) => {
    checkNorth(n, i, deviceNames, registry, errors);
  });

  if (errors.length === 0) checkAcrossDevices(devices as DeviceConfig[], registry, errors);
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  const running = devices as DeviceConfig[];
  shareTagStrings(running, registry);
  const config = deepFreeze(doc);
  expandedDevices.set(config, deepFreeze(running));
  return { ok: true, config };
}

const expandedDevices = new WeakMap<Config, readonly DeviceConfig[]>();

/**
 * The devices of a configuration as the gateway runs them: a device built from a model
 * has the model's driver, settings, groups and tags, with its params filled in.
 */
export function runningDevices(config: Config): readonly DeviceConfig[] {
  const known = expandedDevices.get(config);
  if (known) return known;
  const models = new Map((config.models ?? []).map((m) => [m.name, m]));
  const devices = config.devices.map((d) => deviceOf(d, models)).filter((d): d is DeviceConfig => d !== undefined);
  if (Object.isFrozen(config)) expandedDevices.set(config, devices);
  return devices;
}

/**
 * One copy of each tag type, access, unit and driver field text (Modbus byte order) across the configuration:
 * parsed (and cloned) documents hold a string per tag for each, e.g. 100,000 `"read"` at
 * 100,000 tags. Same values, less memory.
 */
function shareTagStrings(devices: DeviceConfig[], registry: PluginRegistry): void {
  const driverFields = [...registry.driverTagFields.keys()];
  const strings = new Map<string, string>();
  const shared = <T extends string | undefined>(value: T): T => {
    if (value === undefined) return value;
    const known = strings.get(value);
    if (known !== undefined) return known as T;
    strings.set(value, value);
    return value;
  };
  for (const d of devices) {
    for (const g of d.groups) {
      for (const t of g.tags) {
        if (t.type !== undefined) t.type = shared(t.type);
        for (const field of driverFields) {
          const value = t[field];
          if (typeof value === 'string') t[field] = shared(value);
        }
        t.access = shared(t.access);
        if (t.unit !== undefined) t.unit = shared(t.unit);
      }
    }
  }
}
