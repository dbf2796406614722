import {
  type Config,
  DEFAULT_RECONNECT_MAX_MS,
  type DeviceConfig,
  type DeviceEntry,
  type GatewayConfig,
  type GroupConfig,
  type ModelConfig,
  type NorthConfig,
  TAG_FIELDS,
  type TagConfig,
} from '../config/schema.js';
import type { Db } from './db.js';

interface DeviceRow {
  id: number;
  name: string;
  driver: DeviceConfig['driver'];
  enabled: number;
  uns: string;
  settings: string;
  reconnect_max_ms: number;
  model: string | null;
  params: string | null;
}
interface ModelRow {
  name: string;
  description: string | null;
  driver: ModelConfig['driver'];
  params: string;
  settings: string;
  groups: string;
}
interface GroupRow {
  id: number;
  device_id: number;
  name: string;
  interval_ms: number;
  publish: GroupConfig['publish'];
  heartbeat_ms: number;
  trigger: GroupConfig['trigger'] | null;
}
interface TagRow {
  group_id: number;
  name: string;
  address: string;
  type: NonNullable<TagConfig['type']> | null;
  length: number | null;
  /** JSON object of the fields the tag's driver adds (Modbus `byteOrder`, a computed tag's `expression`), NULL when none. */
  fields: string | null;
  access: TagConfig['access'];
  scale: number;
  offset: number;
  deadband: number;
  unit: string | null;
  description: string | null;
  alarms: string | null;
}
interface NorthRow {
  name: string;
  plugin: NorthConfig['plugin'];
  enabled: number;
  devices: string;
  settings: string;
}

const GATEWAY_KEYS = ['id', 'uns', 'http', 'broker'] as const;

/** True once a configuration has been stored (the first start seeds one). */
export function hasConfig(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM gateway_settings WHERE key = 'id'`).get() !== undefined;
}

/** Replaces the stored configuration with `config` in one transaction. */
export function saveConfig(db: Db, config: Config): void {
  const putSetting = db.prepare('INSERT OR REPLACE INTO gateway_settings (key, value) VALUES (?, ?)');
  const insDevice = db.prepare(
    `INSERT INTO devices (position, name, driver, enabled, uns, settings, reconnect_max_ms, model, params)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insModel = db.prepare(
    'INSERT INTO models (position, name, description, driver, params, settings, groups) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const modelDrivers = new Map(config.models.map((m) => [m.name, m.driver]));
  const insGroup = db.prepare(
    'INSERT INTO groups (device_id, position, name, interval_ms, publish, heartbeat_ms, "trigger") VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insTag = db.prepare(
    `INSERT INTO tags (group_id, position, name, address, type, length, fields, access, scale, "offset",
       deadband, unit, description, alarms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insNorth = db.prepare(
    'INSERT INTO north_apps (position, name, plugin, enabled, devices, settings) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    db.exec('DELETE FROM tags; DELETE FROM groups; DELETE FROM devices; DELETE FROM north_apps; DELETE FROM models;');
    for (const key of GATEWAY_KEYS) putSetting.run(key, JSON.stringify(config.gateway[key]));
    // A model's groups are one JSON text: they are read and written whole, never queried by tag.
    config.models.forEach((m, i) => {
      insModel.run(
        i,
        m.name,
        m.description ?? null,
        m.driver,
        JSON.stringify(m.params),
        JSON.stringify(m.settings),
        JSON.stringify(m.groups),
      );
    });
    config.devices.forEach((d, i) => {
      const deviceId = insDevice.run(
        i,
        d.name,
        d.driver ?? (d.model !== undefined ? modelDrivers.get(d.model) : undefined) ?? '',
        d.enabled ? 1 : 0,
        d.uns ?? d.name,
        JSON.stringify(d.settings),
        d.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS,
        d.model ?? null,
        d.params === undefined ? null : JSON.stringify(d.params),
      ).lastInsertRowid;
      d.groups.forEach((g, j) => {
        const groupId = insGroup.run(
          deviceId,
          j,
          g.name,
          g.intervalMs,
          g.publish,
          g.heartbeatMs,
          g.trigger ?? null,
        ).lastInsertRowid;
        g.tags.forEach((t, k) => {
          insTag.run(
            groupId,
            k,
            t.name,
            // The column predates computed tags (NOT NULL); '' is never a valid address, so it means none.
            t.address ?? '',
            t.type ?? null,
            t.length ?? null,
            driverFields(t),
            t.access,
            t.scale,
            t.offset,
            t.deadband,
            t.unit ?? null,
            t.description ?? null,
            t.alarms === undefined ? null : JSON.stringify(t.alarms),
          );
        });
      });
    });
    config.north.forEach((n, i) => {
      insNorth.run(i, n.name, n.plugin, n.enabled ? 1 : 0, JSON.stringify(n.devices), JSON.stringify(n.settings));
    });
  })();
}

/**
 * One copy of each type, access, unit and driver field text: SQLite hands out a new string
 * per row, which made `"read"`, `"float32"`… 100,000 strings at 100,000 tags.
 */
function shared<T extends string>(strings: Map<string, string>, value: T): T {
  const known = strings.get(value);
  if (known !== undefined) return known as T;
  strings.set(value, value);
  return value;
}

const CORE_TAG_FIELDS = new Set(TAG_FIELDS);

/** The fields of a tag its driver added, as JSON; null when it has none. */
function driverFields(tag: TagConfig): string | null {
  let fields: Record<string, unknown> | undefined;
  for (const key of Object.keys(tag)) {
    if (CORE_TAG_FIELDS.has(key)) continue;
    fields ??= {};
    fields[key] = tag[key];
  }
  return fields ? JSON.stringify(fields) : null;
}

function tagFromRow(r: TagRow, strings: Map<string, string>): TagConfig {
  // Keys in schema order so that export is stable and round-trips exactly.
  const tag = { name: r.name } as TagConfig;
  if (r.address !== '') tag.address = r.address;
  if (r.type !== null) tag.type = shared(strings, r.type);
  if (r.length !== null) tag.length = r.length;
  if (r.fields !== null) {
    for (const [key, value] of Object.entries(JSON.parse(r.fields) as Record<string, unknown>)) {
      tag[key] = typeof value === 'string' ? shared(strings, value) : value;
    }
  }
  tag.access = shared(strings, r.access);
  tag.scale = r.scale;
  tag.offset = r.offset;
  tag.deadband = r.deadband;
  if (r.unit !== null) tag.unit = shared(strings, r.unit);
  if (r.description !== null) tag.description = r.description;
  if (r.alarms !== null) tag.alarms = JSON.parse(r.alarms) as TagConfig['alarms'];
  return tag;
}

/** The stored configuration, or undefined before the first one was stored. */
export function loadConfig(db: Db): Config | undefined {
  if (!hasConfig(db)) return undefined;
  const settings = new Map(
    (db.prepare('SELECT key, value FROM gateway_settings').all() as Array<{ key: string; value: string }>).map((r) => [
      r.key,
      JSON.parse(r.value) as unknown,
    ]),
  );
  const gateway = Object.fromEntries(GATEWAY_KEYS.map((k) => [k, settings.get(k)])) as GatewayConfig;

  const tagsByGroup = new Map<number, TagConfig[]>();
  const strings = new Map<string, string>();
  // Row by row: `all()` builds every row inside one native call, whose handles (22 MB at 100k
  // tags) the C allocator keeps as resident memory long after they are released.
  for (const r of db.prepare('SELECT * FROM tags ORDER BY group_id, position').iterate() as Iterable<TagRow>) {
    const list = tagsByGroup.get(r.group_id) ?? [];
    list.push(tagFromRow(r, strings));
    tagsByGroup.set(r.group_id, list);
  }
  const groupsByDevice = new Map<number, GroupConfig[]>();
  for (const r of db.prepare('SELECT * FROM groups ORDER BY device_id, position').all() as GroupRow[]) {
    const list = groupsByDevice.get(r.device_id) ?? [];
    list.push({
      name: r.name,
      intervalMs: r.interval_ms,
      publish: r.publish,
      heartbeatMs: r.heartbeat_ms,
      ...(r.trigger !== null ? { trigger: r.trigger } : {}),
      tags: tagsByGroup.get(r.id) ?? [],
    });
    groupsByDevice.set(r.device_id, list);
  }
  const devices = (db.prepare('SELECT * FROM devices ORDER BY position').all() as DeviceRow[]).map(
    (r): DeviceEntry => deviceFromRow(r, groupsByDevice.get(r.id) ?? []),
  );
  const models = (db.prepare('SELECT * FROM models ORDER BY position').all() as ModelRow[]).map(modelFromRow);
  const north = (db.prepare('SELECT * FROM north_apps ORDER BY position').all() as NorthRow[]).map(
    (r): NorthConfig => ({
      name: r.name,
      plugin: r.plugin,
      enabled: r.enabled === 1,
      devices: JSON.parse(r.devices) as string[],
      settings: JSON.parse(r.settings) as Record<string, unknown>,
    }),
  );
  return { gateway, models, devices, north };
}

/** Keys in schema order, so that export is stable and round-trips exactly. */
function deviceFromRow(r: DeviceRow, groups: GroupConfig[]): DeviceEntry {
  const device = { name: r.name } as DeviceEntry;
  // A device built from a model takes its driver from the model (the column is informative).
  if (r.model !== null) device.model = r.model;
  else device.driver = r.driver;
  device.enabled = r.enabled === 1;
  device.uns = r.uns;
  if (r.params !== null) device.params = JSON.parse(r.params) as Record<string, string>;
  device.settings = JSON.parse(r.settings) as Record<string, unknown>;
  device.reconnectMaxMs = r.reconnect_max_ms;
  device.groups = groups;
  return device;
}

function modelFromRow(r: ModelRow): ModelConfig {
  const model = { name: r.name } as ModelConfig;
  if (r.description !== null) model.description = r.description;
  model.driver = r.driver;
  model.params = JSON.parse(r.params) as string[];
  model.settings = JSON.parse(r.settings) as Record<string, unknown>;
  model.groups = JSON.parse(r.groups) as GroupConfig[];
  return model;
}
