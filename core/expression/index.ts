/**
 * The expression language of SPEC §3.4, shared by computed tags and alarm conditions.
 * jsep parses; our own compiler turns the tree into closures over the listed operators and functions only,
 * so nothing of JavaScript (globals, prototypes, property access) is reachable from an expression.
 */
import { checkResult, compileNode, type Evaluator, InputProblem, type InputValues } from './compiler.js';
import { ExpressionError } from './errors.js';
import type { ExpressionValue } from './operations.js';
import { parseExpression } from './parser.js';
import { collectReferences } from './references.js';
import { shapeOf } from './shape.js';

export type { InputValues } from './compiler.js';
export { ExpressionError } from './errors.js';
export { FUNCTION_NAMES } from './functions.js';
export type { ExpressionValue } from './operations.js';
export { MAX_EXPRESSION_LENGTH, MAX_NESTING } from './parser.js';

export interface CompiledExpression {
  readonly source: string;
  /** 'device/tag' strings, in order of first use, unique. */
  readonly references: readonly string[];
  /** Throws ExpressionError on a runtime failure (missing value, wrong type, division by zero, non-finite result). */
  // biome-ignore lint/suspicious/noShadowRestrictedNames: the shared API names the value lookup valueOf
  evaluate(valueOf: (reference: string) => ExpressionValue | null | undefined): ExpressionValue;
  /** The same with the references' values given in the order of `references` (no lookup: the hot path). */
  evaluateInputs(inputs: InputValues): ExpressionValue;
}

/**
 * Evaluators by expression shape: a plant repeats the same formula over many tags (`{x} * 2 + 1` for
 * every motor of a line, a model's expressions on each of its devices), and one set of closures serves
 * them all — 10,000 copies cost memory and, evaluated in turn, a cache miss each. Bounded: editing in
 * the UI compiles every keystroke's text.
 */
const evaluators = new Map<string, Evaluator>();
const MAX_SHAPES = 4096;

/** Throws ExpressionError (syntax, unknown function or name, refused construct) with its position. */
export function compileExpression(source: string): CompiledExpression {
  const tree = parseExpression(source);
  const references = Object.freeze(collectReferences(tree));
  const slots = new Map(references.map((reference, slot) => [reference, slot]));
  const slotOf = (reference: string) => slots.get(reference) as number;
  const shape = shapeOf(tree, slotOf);
  let evaluator = evaluators.get(shape);
  if (!evaluator) {
    evaluator = compileNode(tree, slotOf);
    if (evaluators.size >= MAX_SHAPES) evaluators.clear();
    evaluators.set(shape, evaluator);
  }
  const run = evaluator;
  const evaluateInputs = (inputs: InputValues): ExpressionValue => {
    try {
      return checkResult(run(inputs));
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      if (error instanceof InputProblem) {
        throw new ExpressionError(`{${references[error.slot]}} ${error.problem}`, error.position);
      }
      // A RangeError from a huge bigint or similar: still the expression's failure, reported as such.
      throw new ExpressionError(error instanceof Error ? error.message : String(error));
    }
  };
  return Object.freeze({
    source,
    references,
    evaluateInputs,
    evaluate(lookup: (reference: string) => ExpressionValue | null | undefined): ExpressionValue {
      return evaluateInputs(references.map(lookup));
    },
  });
}
