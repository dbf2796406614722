import type { ExpressionNode } from './ast.js';
import { ExpressionError } from './errors.js';
import { FUNCTION_NAMES, FUNCTIONS } from './functions.js';
import { arithmetic, compare, type ExpressionValue, equals, negate, toBoolean, toNumeric } from './operations.js';

export type ValueSource = (reference: string) => ExpressionValue | null | undefined;
export type Evaluator = (lookup: ValueSource) => ExpressionValue;

/** Turns the tree into nested closures once; evaluating then runs no parser and no lookup but the references'. */
export function compileNode(node: ExpressionNode): Evaluator {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'reference':
      return compileReference(node.reference, node.start);
    case 'unary':
      return compileUnary(node.operator, compileNode(node.argument), node.start);
    case 'binary':
      return compileBinary(node.operator, compileNode(node.left), compileNode(node.right), node.start);
    case 'conditional': {
      const test = compileNode(node.test);
      const consequent = compileNode(node.consequent);
      const alternate = compileNode(node.alternate);
      const position = node.start;
      return (lookup) => (toBoolean(test(lookup), '? :', position) ? consequent(lookup) : alternate(lookup));
    }
    case 'call':
      return compileCall(node.name, node.args.map(compileNode), node.start);
  }
}

function compileReference(reference: string, position: number): Evaluator {
  return (lookup) => {
    const value = lookup(reference);
    if (value === null || value === undefined) throw new ExpressionError(`{${reference}} has no value`, position);
    const type = typeof value;
    if (type !== 'number' && type !== 'boolean' && type !== 'string' && type !== 'bigint') {
      throw new ExpressionError(`{${reference}} is not a number, boolean or string`, position);
    }
    return value;
  };
}

function compileUnary(operator: string, argument: Evaluator, position: number): Evaluator {
  switch (operator) {
    case '-':
      return (lookup) => negate(argument(lookup), position);
    case '+':
      return (lookup) => toNumeric(argument(lookup), '+', position);
    case 'not':
      return (lookup) => !toBoolean(argument(lookup), 'not', position);
    default:
      throw new ExpressionError(`unsupported operator ${operator}`, position);
  }
}

function compileBinary(operator: string, left: Evaluator, right: Evaluator, position: number): Evaluator {
  switch (operator) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '**':
      return compileArithmetic(operator, left, right, position);
    case '==':
      return (lookup) => equals(left(lookup), right(lookup));
    case '!=':
      return (lookup) => !equals(left(lookup), right(lookup));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (lookup) => compare(operator, left(lookup), right(lookup), position);
    case 'and':
    case '&&':
      return (lookup) => toBoolean(left(lookup), 'and', position) && toBoolean(right(lookup), 'and', position);
    case 'or':
    case '||':
      return (lookup) => toBoolean(left(lookup), 'or', position) || toBoolean(right(lookup), 'or', position);
    default:
      throw new ExpressionError(`unsupported operator ${operator}`, position);
  }
}

/** Two doubles take a direct path (the common case, and the hot one); anything else the general rules. */
function compileArithmetic(operator: string, left: Evaluator, right: Evaluator, position: number): Evaluator {
  const general = (a: ExpressionValue, b: ExpressionValue) => arithmetic(operator, a, b, position);
  switch (operator) {
    case '+':
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        return typeof a === 'number' && typeof b === 'number' ? a + b : general(a, b);
      };
    case '-':
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        return typeof a === 'number' && typeof b === 'number' ? a - b : general(a, b);
      };
    case '*':
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        return typeof a === 'number' && typeof b === 'number' ? a * b : general(a, b);
      };
    default:
      return (lookup) => general(left(lookup), right(lookup));
  }
}

function compileCall(name: string, args: Evaluator[], position: number): Evaluator {
  const fn = FUNCTIONS.get(name);
  if (!fn) throw new ExpressionError(`unknown function '${name}'; available: ${FUNCTION_NAMES.join(', ')}`, position);
  if (args.length < fn.minArgs || args.length > fn.maxArgs) {
    const wanted = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new ExpressionError(`${name}() takes ${wanted} argument(s), got ${args.length}`, position);
  }
  return (lookup) => {
    const values = args.map((arg) => arg(lookup));
    return fn.call(values, position);
  };
}

export function checkResult(value: ExpressionValue): ExpressionValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new ExpressionError(`result is not a finite number (${value})`);
  }
  return value;
}
