import type { ExpressionNode } from './ast.js';
import { ExpressionError } from './errors.js';
import { FUNCTION_NAMES, FUNCTIONS } from './functions.js';
import { arithmetic, compare, type ExpressionValue, equals, negate, toBoolean, toNumeric } from './operations.js';

/** The values of an expression's references, by their position in its reference list. */
export type InputValues = ArrayLike<ExpressionValue | null | undefined>;
export type Evaluator = (inputs: InputValues) => ExpressionValue;

/**
 * An input without a usable value. Thrown with its slot, not its name: one evaluator serves every
 * expression of the same shape, and the expression that ran it names the reference.
 */
export class InputProblem extends Error {
  constructor(
    readonly slot: number,
    readonly problem: 'has no value' | 'is not a number, boolean or string',
    readonly position: number,
  ) {
    super(problem);
  }
}

/**
 * Turns the tree into nested closures once; evaluating then runs no parser and no lookup. A reference
 * reads its slot (`slotOf`) of the inputs, so the closures hold no names and can be shared.
 */
export function compileNode(node: ExpressionNode, slotOf: (reference: string) => number): Evaluator {
  const compile = (child: ExpressionNode) => compileNode(child, slotOf);
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'reference':
      return compileReference(slotOf(node.reference), node.start);
    case 'unary':
      return compileUnary(node.operator, compile(node.argument), node.start);
    case 'binary':
      return compileBinary(node.operator, compile(node.left), compile(node.right), node.start);
    case 'conditional': {
      const test = compile(node.test);
      const consequent = compile(node.consequent);
      const alternate = compile(node.alternate);
      const position = node.start;
      return (inputs) => (toBoolean(test(inputs), '? :', position) ? consequent(inputs) : alternate(inputs));
    }
    case 'call':
      return compileCall(node.name, node.args.map(compile), node.start);
  }
}

function compileReference(slot: number, position: number): Evaluator {
  return (inputs) => {
    const value = inputs[slot];
    if (value === null || value === undefined) throw new InputProblem(slot, 'has no value', position);
    const type = typeof value;
    if (type !== 'number' && type !== 'boolean' && type !== 'string' && type !== 'bigint') {
      throw new InputProblem(slot, 'is not a number, boolean or string', position);
    }
    return value;
  };
}

function compileUnary(operator: string, argument: Evaluator, position: number): Evaluator {
  switch (operator) {
    case '-':
      return (inputs) => negate(argument(inputs), position);
    case '+':
      return (inputs) => toNumeric(argument(inputs), '+', position);
    case 'not':
      return (inputs) => !toBoolean(argument(inputs), 'not', position);
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
      return (inputs) => equals(left(inputs), right(inputs));
    case '!=':
      return (inputs) => !equals(left(inputs), right(inputs));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (inputs) => compare(operator, left(inputs), right(inputs), position);
    case 'and':
    case '&&':
      return (inputs) => toBoolean(left(inputs), 'and', position) && toBoolean(right(inputs), 'and', position);
    case 'or':
    case '||':
      return (inputs) => toBoolean(left(inputs), 'or', position) || toBoolean(right(inputs), 'or', position);
    default:
      throw new ExpressionError(`unsupported operator ${operator}`, position);
  }
}

/** Two doubles take a direct path (the common case, and the hot one); anything else the general rules. */
function compileArithmetic(operator: string, left: Evaluator, right: Evaluator, position: number): Evaluator {
  const general = (a: ExpressionValue, b: ExpressionValue) => arithmetic(operator, a, b, position);
  switch (operator) {
    case '+':
      return (inputs) => {
        const a = left(inputs);
        const b = right(inputs);
        return typeof a === 'number' && typeof b === 'number' ? a + b : general(a, b);
      };
    case '-':
      return (inputs) => {
        const a = left(inputs);
        const b = right(inputs);
        return typeof a === 'number' && typeof b === 'number' ? a - b : general(a, b);
      };
    case '*':
      return (inputs) => {
        const a = left(inputs);
        const b = right(inputs);
        return typeof a === 'number' && typeof b === 'number' ? a * b : general(a, b);
      };
    default:
      return (inputs) => general(left(inputs), right(inputs));
  }
}

function compileCall(name: string, args: Evaluator[], position: number): Evaluator {
  const fn = FUNCTIONS.get(name);
  if (!fn) throw new ExpressionError(`unknown function '${name}'; available: ${FUNCTION_NAMES.join(', ')}`, position);
  if (args.length < fn.minArgs || args.length > fn.maxArgs) {
    const wanted = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new ExpressionError(`${name}() takes ${wanted} argument(s), got ${args.length}`, position);
  }
  return (inputs) => {
    const values = args.map((arg) => arg(inputs));
    return fn.call(values, position);
  };
}

export function checkResult(value: ExpressionValue): ExpressionValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new ExpressionError(`result is not a finite number (${value})`);
  }
  return value;
}
