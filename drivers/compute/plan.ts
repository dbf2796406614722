/**
 * What a compute device evaluates, worked out once per configuration: its computed tags in dependency
 * order, and for every input tag the computed tags one of its readings makes due — through chains of
 * this device's own tags — so that a batch evaluates each tag at most once, after its inputs.
 */
import type { DeviceConfig } from '../../core/config/schema.js';
import { type CompiledExpression, compileExpression, type ExpressionValue } from '../../core/expression/index.js';
import type { TagValue } from '../../core/values.js';
import { formulaOf } from './config-check.js';
import { splitReference, topologicalOrder } from './graph.js';
import { type ComputedTagConfig, computeFields } from './tag-fields.js';
import type { TumblingWindow } from './window.js';

export interface ComputedTag {
  readonly tag: ComputedTagConfig;
  readonly group: string;
  /** Index among the group's tags (all readable: computed tags are read-only). */
  readonly index: number;
  readonly reference: string;
  readonly formula: CompiledExpression;
  /** The formula's references in its order; `source` is the computed tag of this device one names. */
  readonly inputs: ReadonlyArray<ComputedInput>;
  readonly trigger: 'change' | 'interval';
  /** Position in dependency order. */
  rank: number;
  /** The batch that last took this tag in (each is evaluated at most once per batch). */
  batch: number;
  /** Input values of the evaluation under way, by the formula's reference order. */
  readonly inputValues: ExpressionValue[];
  /** This tag's latest result from this driver: newer than the core's copy while a batch runs. */
  value: TagValue | undefined;
  /** The window of an aggregate while the driver runs. */
  window: TumblingWindow | undefined;
  /** Its group's values of the batch under way, shared by the group's computed tags. */
  readonly groupSlots: GroupSlots;
}

/** One group's values of a batch: `values[i]` for the group's i-th tag, a hole for a tag not evaluated. */
export interface GroupSlots {
  readonly name: string;
  readonly values: Array<TagValue | undefined>;
  /** Set while the group has a value in the batch under way. */
  touched: boolean;
}

export interface ComputedInput {
  readonly device: string;
  readonly tag: string;
  readonly reference: string;
  /** Set when the input is a computed tag of the same device: its value is read from there. */
  source: ComputedTag | undefined;
  /** Set when readings of the input reach the driver: its last reading is kept there. */
  entry: InputEntry | undefined;
}

/** The computed tags a reading of one input tag makes due, in dependency order. */
export interface InputEntry {
  due: ComputedTag[];
  /** The input's value and quality when last seen, to tell a change from a repeat. */
  lastValue: unknown;
  lastQuality: string | undefined;
  /** The input's last reading while the feed's generation stays the same (saves asking the core). */
  reading: TagValue | undefined;
}

export interface ComputePlan {
  /** Every computed tag, in dependency order. */
  tags: ComputedTag[];
  /** device → tag → entry, for every tag a reading of which makes something due. */
  inputs: Map<string, Map<string, InputEntry>>;
}

function computedTag(
  device: DeviceConfig,
  group: DeviceConfig['groups'][number],
  tag: ComputedTagConfig,
  index: number,
  groupSlots: GroupSlots,
): ComputedTag {
  const formula = compileExpression(formulaOf(tag)?.source ?? '');
  const inputValues: ExpressionValue[] = formula.references.map((): ExpressionValue => 0);
  return {
    tag,
    group: group.name,
    index,
    reference: `${device.name}/${tag.name}`,
    formula,
    inputs: formula.references.map(inputOf),
    trigger: group.trigger === 'interval' && tag.aggregate === undefined ? 'interval' : 'change',
    rank: 0,
    batch: 0,
    inputValues,
    value: undefined,
    window: undefined,
    groupSlots,
  };
}

/** One literal shape for every input: objects built by spreading got a map each, and every load from them missed. */
function inputOf(reference: string): ComputedInput {
  const { device, tag } = splitReference(reference);
  return { device, tag, reference, source: undefined, entry: undefined };
}

/** Evaluated when an input changes (not an interval tag, not an aggregate, whose value changes at window end). */
function propagatesAtOnce(tag: ComputedTag): boolean {
  return tag.trigger === 'change' && tag.tag.aggregate === undefined;
}

export function planDevice(device: DeviceConfig): ComputePlan {
  const all = device.groups.flatMap((group) => {
    const slots: GroupSlots = { name: group.name, values: [], touched: false };
    return group.tags.map((tag, index) => computedTag(device, group, computeFields(tag), index, slots));
  });
  const byReference = new Map(all.map((t) => [t.reference, t]));
  for (const t of all) {
    for (const input of t.inputs) if (input.device === device.name) input.source = byReference.get(input.reference);
  }
  const inputsOf = new Map(all.map((t) => [t.reference, t.inputs.map((i) => i.reference)]));
  const order = topologicalOrder(
    all.map((t) => t.reference),
    inputsOf,
  );
  const tags = order.map((reference) => byReference.get(reference) as ComputedTag);
  tags.forEach((t, rank) => {
    t.rank = rank;
  });

  const users = new Map<string, ComputedTag[]>();
  for (const t of tags) {
    if (t.trigger === 'interval') continue; // evaluated on its schedule, not by its inputs
    for (const input of t.inputs) users.set(input.reference, [...(users.get(input.reference) ?? []), t]);
  }
  const inputs = new Map<string, Map<string, InputEntry>>();
  for (const reference of users.keys()) {
    const source = byReference.get(reference);
    // An own tag evaluated at once reaches its users through the chain below, never as a reading.
    if (source && propagatesAtOnce(source)) continue;
    const { device: name, tag } = splitReference(reference);
    const byTag = inputs.get(name) ?? new Map<string, InputEntry>();
    inputs.set(name, byTag);
    byTag.set(tag, {
      due: dueFrom(reference, users),
      lastValue: undefined,
      lastQuality: undefined,
      reading: undefined,
    });
  }
  for (const t of tags) {
    for (const input of t.inputs) input.entry = inputs.get(input.device)?.get(input.tag);
  }
  return { tags, inputs };
}

/** The users of `reference`, and transitively the users of those evaluated at once, in rank order. */
function dueFrom(reference: string, users: Map<string, ComputedTag[]>): ComputedTag[] {
  const found = new Set<ComputedTag>();
  const queue = [...(users.get(reference) ?? [])];
  while (queue.length > 0) {
    const t = queue.pop() as ComputedTag;
    if (found.has(t)) continue;
    found.add(t);
    if (propagatesAtOnce(t)) queue.push(...(users.get(t.reference) ?? []));
  }
  return [...found].sort((a, b) => a.rank - b.rank);
}
