/** The Sparkplug B payloads of an edge node and its devices (Sparkplug 3.0 §6.4.18 ff). */
import type { TagConfig } from '../../core/config/schema.js';
import type { TagValue, Value } from '../../core/values.js';
import type { SpbMetric, SpbPayload, SpbProperty, SpbType } from './codec.js';
import { metricType, QUALITY_CODES, toSpbValue } from './datatypes.js';

/** Node metric names; Sparkplug fixes the first two. */
export const NODE_METRICS = {
  bdSeq: 'bdSeq',
  rebirth: 'Node Control/Rebirth',
  software: 'Properties/Software',
  version: 'Properties/Version',
} as const;

/** One metric as announced in a birth certificate. */
export interface MetricDef {
  name: string;
  alias: number;
  type: SpbType;
  /** The datatype came from a value (tag without type): a value of another type needs a new DBIRTH. */
  inferred: boolean;
  /** Never read (access: write): no value, no quality. */
  writeOnly: boolean;
  /** engUnit, description, readOnly. */
  properties: Record<string, SpbProperty>;
}

export function tagMetricDef(tag: TagConfig, alias: number, sample: Value | undefined): MetricDef {
  const type = metricType(tag, sample);
  const properties: Record<string, SpbProperty> = { readOnly: { type: 'Boolean', value: tag.access === 'read' } };
  if (tag.unit) properties.engUnit = { type: 'String', value: tag.unit };
  if (tag.description) properties.description = { type: 'String', value: tag.description };
  return {
    name: tag.name,
    alias,
    // Nothing to infer from yet (no good value): String until a value says otherwise.
    type: type ?? 'String',
    inferred: tag.type === undefined,
    writeOnly: tag.access === 'write',
    properties,
  };
}

/** An alarm's `active` or `acked` metric: a read-only Boolean. */
export function alarmMetricDef(name: string, alias: number): MetricDef {
  return {
    name,
    alias,
    type: 'Boolean',
    inferred: false,
    writeOnly: false,
    properties: { readOnly: { type: 'Boolean', value: true } },
  };
}

function qualityProperty(value: TagValue | undefined): SpbProperty {
  // No reading yet counts as bad (OPC UA: Bad_WaitingForInitialData).
  return { type: 'Int32', value: QUALITY_CODES[value?.quality ?? 'bad'] };
}

/** A DBIRTH metric: name, alias, datatype, current value (or is_null), timestamp, properties. */
export function birthMetric(def: MetricDef, value: TagValue | undefined, now: number): SpbMetric {
  const properties = def.writeOnly ? def.properties : { ...def.properties, Quality: qualityProperty(value) };
  return {
    name: def.name,
    alias: def.alias,
    type: def.type,
    value: value ? toSpbValue(def.type, value.value) : null,
    timestamp: value?.timestamp ?? now,
    properties,
  };
}

/** A DDATA metric: alias only (no name), value, its timestamp and quality. */
export function dataMetric(def: MetricDef, value: TagValue, historical: boolean): SpbMetric {
  const metric: SpbMetric = {
    alias: def.alias,
    type: def.type,
    value: toSpbValue(def.type, value.value),
    timestamp: value.timestamp,
    properties: { Quality: qualityProperty(value) },
  };
  if (historical) metric.isHistorical = true;
  return metric;
}

export interface NodeBirthInfo {
  bdSeq: number;
  version: string;
  /** Alias of each node metric. */
  aliases: Record<keyof typeof NODE_METRICS, number>;
}

/** NBIRTH: seq 0, bdSeq as in the will, Node Control/Rebirth false, the gateway's properties. */
export function nodeBirthPayload(info: NodeBirthInfo, now: number): SpbPayload {
  const metric = (key: keyof typeof NODE_METRICS, type: SpbType, value: Value): SpbMetric => ({
    name: NODE_METRICS[key],
    alias: info.aliases[key],
    type,
    value: toSpbValue(type, value),
    timestamp: now,
  });
  return {
    timestamp: now,
    seq: 0,
    metrics: [
      metric('bdSeq', 'Int64', info.bdSeq),
      metric('rebirth', 'Boolean', false),
      metric('software', 'String', 'tagwire'),
      metric('version', 'String', info.version),
    ],
  };
}

/** NDEATH (the MQTT will): only the bdSeq metric, no seq. */
export function nodeDeathPayload(bdSeq: number, now: number): SpbPayload {
  return { timestamp: now, metrics: [{ name: NODE_METRICS.bdSeq, type: 'Int64', value: toSpbValue('Int64', bdSeq) }] };
}

/** DBIRTH, DDATA and DDEATH (no metrics): the node's next seq and the send time. */
export function devicePayload(seq: number, metrics: SpbMetric[], now: number): SpbPayload {
  return { timestamp: now, seq, metrics };
}
