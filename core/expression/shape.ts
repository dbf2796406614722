import type { ExpressionNode } from './ast.js';

/**
 * What makes two expressions share an evaluator: the same tree with references as slots, and the same
 * positions (error messages carry them). `{a/x} * 2` and `{b/y} * 2` have one shape when the names
 * are equally long. Literals keep their type and exact value (JSON alone would make `5n` the string
 * "5n", and -0 or Infinity something else).
 */
export function shapeOf(tree: ExpressionNode, slotOf: (reference: string) => number): string {
  return JSON.stringify(tree, (key, value: unknown) => {
    if (key === 'reference') return slotOf(value as string);
    if (key !== 'value') return value;
    if (typeof value === 'bigint') return { bigint: value.toString() };
    if (typeof value === 'number') return { number: Object.is(value, -0) ? '-0' : String(value) };
    return value;
  });
}
