/**
 * The expression language of SPEC §3.4, shared by computed tags and alarm conditions.
 * jsep parses; our own compiler turns the tree into closures over the listed operators and functions only,
 * so nothing of JavaScript (globals, prototypes, property access) is reachable from an expression.
 */
import { checkResult, compileNode } from './compiler.js';
import { ExpressionError } from './errors.js';
import type { ExpressionValue } from './operations.js';
import { parseExpression } from './parser.js';
import { collectReferences } from './references.js';

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
}

/** Throws ExpressionError (syntax, unknown function or name, refused construct) with its position. */
export function compileExpression(source: string): CompiledExpression {
  const tree = parseExpression(source);
  const evaluator = compileNode(tree);
  const references = Object.freeze(collectReferences(tree));
  return Object.freeze({
    source,
    references,
    evaluate(lookup: (reference: string) => ExpressionValue | null | undefined): ExpressionValue {
      try {
        return checkResult(evaluator(lookup));
      } catch (error) {
        if (error instanceof ExpressionError) throw error;
        // A RangeError from a huge bigint or similar: still the expression's failure, reported as such.
        throw new ExpressionError(error instanceof Error ? error.message : String(error));
      }
    },
  });
}
