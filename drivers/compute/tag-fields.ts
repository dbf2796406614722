import { type Static, Type } from '@sinclair/typebox';
import type { TagConfig } from '../../core/config/schema.js';

export const AGGREGATE_FUNCTIONS = [
  'avg',
  'min',
  'max',
  'sum',
  'count',
  'first',
  'last',
  'delta',
  'twa',
  'stddev',
] as const;

/** A computed tag's windowed aggregate (SPEC §3.4): tumbling windows aligned to wall-clock multiples of windowMs. */
export const AggregateSchema = Type.Object(
  {
    function: Type.Union(
      AGGREGATE_FUNCTIONS.map((f) => Type.Literal(f)),
      { description: 'avg min max sum count first last delta twa stddev' },
    ),
    of: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'The input: a reference {device/tag} or an expression',
    }),
    windowMs: Type.Integer({ minimum: 100, maximum: 86_400_000, description: 'Window length' }),
  },
  { additionalProperties: false },
);

/** The tag fields compute devices add to the core's: the formula a tag is computed by. */
export const ComputeTagFields = {
  expression: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'Computed tags: a formula over {device/tag} references, e.g. {meter1/voltage} * {meter1/current}',
    }),
  ),
  aggregate: Type.Optional(AggregateSchema),
};

export type AggregateConfig = Static<typeof AggregateSchema>;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** A tag of a compute device, with its own fields typed. */
export type ComputedTagConfig = TagConfig & { expression?: string; aggregate?: AggregateConfig };

/**
 * A compute device's tag with its fields typed: validation checks them against `ComputeTagFields`
 * before the driver sees the tag (and `checkComputeTag` is written for values of any type).
 */
export function computeFields(tag: TagConfig): ComputedTagConfig {
  return tag as ComputedTagConfig;
}
