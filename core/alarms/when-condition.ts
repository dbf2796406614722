import type { AlarmConfig, DeviceConfig } from '../config/schema.js';
import { type CompiledExpression, compileExpression, type ExpressionValue } from '../expression/index.js';
import type { TagValue } from '../values.js';
import type { AlarmCondition } from './condition.js';

/** The latest good value of each referenced tag, by reference (`device/tag`); null while it is not good. */
export type ReferenceValues = Map<string, ExpressionValue | null>;

/** A tag's value as an expression sees it: null unless good and a scalar. */
export function expressionValue(v: TagValue): ExpressionValue | null {
  if (v.quality !== 'good') return null;
  const value = v.value;
  switch (typeof value) {
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'string':
      return value;
    default:
      return null;
  }
}

/**
 * A `when` alarm's condition: true while the expression is true (a number counts when not 0).
 * An expression that cannot be evaluated now (an input without a good value, a division by
 * zero) keeps the alarm's state.
 */
export function whenCondition(expression: CompiledExpression, values: ReferenceValues): AlarmCondition {
  const references = expression.references;
  // Filled afresh for each evaluation, never reallocated: this runs on every reading of an input.
  const inputs: Array<ExpressionValue | null | undefined> = new Array(references.length);
  return () => {
    let result: ExpressionValue;
    try {
      for (let i = 0; i < references.length; i++) inputs[i] = values.get(references[i] as string);
      result = expression.evaluateInputs(inputs);
    } catch {
      return undefined;
    }
    if (typeof result === 'boolean') return result;
    if (typeof result === 'number') return result !== 0;
    if (typeof result === 'bigint') return result !== 0n;
    return undefined;
  };
}

/** Every `device/tag` of the configuration (a `when` may reference any tag of any device). */
export function referenceNames(devices: ReadonlyArray<DeviceConfig | undefined>): Set<string> {
  const names = new Set<string>();
  for (const d of devices) {
    if (typeof d?.name !== 'string' || !Array.isArray(d.groups)) continue;
    for (const g of d.groups) {
      if (!Array.isArray(g?.tags)) continue;
      for (const t of g.tags) if (typeof t?.name === 'string') names.add(`${d.name}/${t.name}`);
    }
  }
  return names;
}

/** `when` problems as `field: message` (syntax with its position, unknown references); [] = fine. */
export function checkWhen(def: AlarmConfig, known: Set<string>): string[] {
  if (typeof def.when !== 'string') return [];
  let compiled: CompiledExpression;
  try {
    compiled = compileExpression(def.when);
  } catch (err) {
    return [`when: ${(err as Error).message}`];
  }
  const errors: string[] = [];
  if (compiled.references.length === 0) errors.push('when: refers to no tag; write e.g. "{oven/temp} > 80"');
  for (const ref of compiled.references) {
    if (!known.has(ref)) errors.push(`when: unknown reference {${ref}} (write {device/tag})`);
  }
  return errors;
}
