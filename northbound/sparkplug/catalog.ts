/** A device's metrics as its DBIRTH announces them, from its configuration and current values. */
import { ALARM_LEVEL } from '../../core/alarms/alarm-service.js';
import type { AlarmStatus } from '../../core/alarms/alarm-types.js';
import type { DeviceConfig, TagConfig } from '../../core/config/schema.js';
import { stableStringify } from '../../core/stable-json.js';
import type { TagValue } from '../../core/values.js';
import type { AliasTable, MetricKey } from './aliases.js';
import { alarmMetricDef, type MetricDef, tagMetricDef } from './payloads.js';

/** Every tag of the device, in configuration order (groups, then tags). */
export function deviceTags(config: DeviceConfig): TagConfig[] {
  return config.groups.flatMap((g) => g.tags);
}

/** `{tag}/_alarm/{alarm}/active` and `…/acked` of every alarm of the device (SPEC §3.5). */
export function alarmMetricNames(config: DeviceConfig): string[] {
  const names: string[] = [];
  for (const t of deviceTags(config)) {
    for (const a of t.alarms ?? [])
      names.push(alarmMetric(t.name, a.name, 'active'), alarmMetric(t.name, a.name, 'acked'));
  }
  return names;
}

export function alarmMetric(tag: string, alarm: string, field: 'active' | 'acked'): string {
  return `${tag}/${ALARM_LEVEL}/${alarm}/${field}`;
}

export function metricKeys(config: DeviceConfig): MetricKey[] {
  return [...deviceTags(config).map((t) => t.name), ...alarmMetricNames(config)].map((metric) => ({
    device: config.name,
    metric,
  }));
}

/** What a DBIRTH depends on; when it changes the device is born again. */
export function metricSignature(config: DeviceConfig): string {
  return stableStringify([
    deviceTags(config).map((t) => [t.name, t.type, t.access, t.scale, t.offset, t.unit, t.description]),
    alarmMetricNames(config),
  ]);
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
  for (const name of alarmMetricNames(config)) {
    const alias = aliases.get({ device: config.name, metric: name });
    if (alias !== undefined) catalog.set(name, alarmMetricDef(name, alias));
  }
  return catalog;
}

/** True when every readable tag has been read at least once (a DBIRTH then has no gaps). */
export function hasAllValues(config: DeviceConfig, values: ReadonlyMap<string, TagValue>): boolean {
  return deviceTags(config).every((t) => t.access === 'write' || values.has(t.name));
}

/** An alarm's two metrics as values: `{tag}/_alarm/{alarm}/active` and `…/acked`. */
export function alarmMetricValues(alarm: AlarmStatus): Array<[string, TagValue]> {
  const at = alarm.timestamp;
  return [
    [
      alarmMetric(alarm.tag, alarm.alarm, 'active'),
      { value: alarm.state === 'active', timestamp: at, quality: 'good' },
    ],
    [alarmMetric(alarm.tag, alarm.alarm, 'acked'), { value: alarm.acked, timestamp: at, quality: 'good' }],
  ];
}
