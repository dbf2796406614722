/** A device's metrics as its DBIRTH announces them, from its configuration and current values. */
import type { DeviceConfig, TagConfig } from '../../core/config/schema.js';
import { stableStringify } from '../../core/stable-json.js';
import type { TagValue } from '../../core/values.js';
import type { AliasTable, MetricKey } from './aliases.js';
import { type MetricDef, tagMetricDef } from './payloads.js';

/** Every tag of the device, in configuration order (groups, then tags). */
export function deviceTags(config: DeviceConfig): TagConfig[] {
  return config.groups.flatMap((g) => g.tags);
}

export function metricKeys(config: DeviceConfig): MetricKey[] {
  return deviceTags(config).map((t) => ({ device: config.name, metric: t.name }));
}

/** What a DBIRTH depends on; when it changes the device is born again. */
export function metricSignature(config: DeviceConfig): string {
  return stableStringify(
    deviceTags(config).map((t) => [t.name, t.type, t.access, t.scale, t.offset, t.unit, t.description]),
  );
}

/** Tag name → metric definition. Every tag has an alias: the table is filled from the configuration. */
export function buildCatalog(
  config: DeviceConfig,
  aliases: AliasTable,
  values: ReadonlyMap<string, TagValue>,
): Map<string, MetricDef> {
  const catalog = new Map<string, MetricDef>();
  for (const tag of deviceTags(config)) {
    const alias = aliases.get({ device: config.name, metric: tag.name });
    if (alias === undefined) continue;
    const value = values.get(tag.name);
    // A bad reading carries null: no help to infer a datatype from.
    catalog.set(tag.name, tagMetricDef(tag, alias, value?.quality === 'bad' ? undefined : value?.value));
  }
  return catalog;
}

/** True when every readable tag has been read at least once (a DBIRTH then has no gaps). */
export function hasAllValues(config: DeviceConfig, values: ReadonlyMap<string, TagValue>): boolean {
  return deviceTags(config).every((t) => t.access === 'write' || values.has(t.name));
}
