import type { GroupConfig, ModelConfig, TagConfig } from './config/schema.js';

/**
 * The UNS data contract of a model (SPEC §3.6): JSON Schemas (draft 2020-12) of what every
 * device built from the model publishes, so that a consumer knows a `pm5560` without
 * reading the gateway's configuration. Published retained at `{gateway.uns}/_models/{model}`
 * (one entry per tag under `properties`) and, for the `group` format, at
 * `{gateway.uns}/_models/{model}/_group/{group}`.
 */

type Schema = Record<string, unknown>;

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

const INTEGER_TYPES = new Set(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);
const RANGES: Record<string, [number, number]> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** The JSON type of a tag's published value, with its range where the type fixes one. */
export function valueSchema(tag: TagConfig): Schema {
  const scaled = tag.scale !== 1 || tag.offset !== 0;
  const type = tag.type;
  if (type === 'bool') return scaled ? { type: 'number' } : { type: 'boolean' };
  if (type === 'string') return { type: 'string' };
  if (type === 'float32' || type === 'float64') return { type: 'number' };
  if (type !== undefined && INTEGER_TYPES.has(type)) {
    if (scaled) return { type: 'number' };
    const range = RANGES[type];
    // 64-bit values are exact JSON integers (SPEC §4): no range a double could hold.
    return range ? { type: 'integer', minimum: range[0], maximum: range[1] } : { type: 'integer' };
  }
  // No type: the driver reports what the device has (e.g. an OPC UA variable's own type).
  return { type: ['number', 'boolean', 'string'] };
}

const TIMESTAMP = { type: 'integer', minimum: 0, description: 'ms since the Unix epoch when the value was read' };

/** One tag's `uns` payload: a reading, or the bad-quality form `{"value": null, …, "error": …}`. */
export function tagPayloadSchema(tag: TagConfig): Schema {
  const schema: Schema = {
    title: tag.name,
    oneOf: [
      {
        type: 'object',
        properties: {
          value: valueSchema(tag),
          timestamp: TIMESTAMP,
          quality: { enum: ['good', 'uncertain'] },
          error: { type: 'string' },
        },
        required: ['value', 'timestamp', 'quality'],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: {
          value: { type: 'null' },
          timestamp: TIMESTAMP,
          quality: { const: 'bad' },
          error: { type: 'string', description: 'a stable error code: timeout, disconnected, modbus-exception-2, …' },
        },
        required: ['value', 'timestamp', 'quality', 'error'],
        additionalProperties: false,
      },
    ],
  };
  const unit = tag.unit ? ` [${tag.unit}]` : '';
  if (tag.description || unit) schema.description = `${tag.description ?? tag.name}${unit}`;
  if (tag.unit) schema['x-unit'] = tag.unit;
  return schema;
}

const modelTags = (model: ModelConfig): TagConfig[] => model.groups.flatMap((g) => g.tags);

/** `{gateway.uns}/_models/{model}`: one property per tag, keyed by tag name (the tag's topic below the device). */
export function modelSchema(model: ModelConfig): Schema {
  const schema: Schema = { $schema: DRAFT, title: model.name };
  if (model.description) schema.description = model.description;
  schema.type = 'object';
  schema.properties = Object.fromEntries(modelTags(model).map((t) => [t.name, tagPayloadSchema(t)]));
  return schema;
}

/** `{gateway.uns}/_models/{model}/_group/{group}`: the `group` format payload of that group. */
export function modelGroupSchema(model: ModelConfig, group: GroupConfig): Schema {
  const names = group.tags.map((t) => t.name);
  return {
    $schema: DRAFT,
    title: `${model.name} group ${group.name}`,
    type: 'object',
    properties: {
      timestamp: TIMESTAMP,
      values: {
        type: 'object',
        properties: Object.fromEntries(group.tags.map((t) => [t.name, valueSchema(t)])),
        additionalProperties: false,
      },
      errors: {
        type: 'object',
        properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
        additionalProperties: false,
      },
    },
    required: ['timestamp', 'values', 'errors'],
    additionalProperties: false,
  };
}
