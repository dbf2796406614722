import jsep from 'jsep';
import type { ExpressionNode } from './ast.js';
import { ExpressionError } from './errors.js';

/** Longer sources are refused before parsing: an expression is a formula, not a program. */
export const MAX_EXPRESSION_LENGTH = 4000;
/** Deeper nesting is refused before parsing, so a hostile input cannot exhaust the stack. */
export const MAX_NESTING = 64;

const REFERENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)+$/;
const UNARY_OPERATORS = ['not', '-', '+', '!'];
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;

type Hook = jsep.HookScope;
/** jsep nodes carry our extra fields through its untyped index signature. */
type RawNode = jsep.Expression & { start?: number; node?: ExpressionNode };

configureJsep();

/**
 * jsep keeps its grammar in module-level tables; this module is its only user in the gateway, so it trims
 * the grammar once to the operators of SPEC §3.4 and takes over every token through one hook, which builds
 * our own tree with positions and refuses member access, calls of non-functions, arrays and `this` on the spot.
 */
function configureJsep(): void {
  for (const op of ['??', '|', '^', '&', '===', '!==', '<<', '>>', '>>>']) jsep.removeBinaryOp(op);
  jsep.removeUnaryOp('~');
  jsep.addBinaryOp('or', 1);
  jsep.addBinaryOp('and', 2);
  jsep.addUnaryOp('not');
  jsep.hooks.add('gobble-token', function (this: Hook, env: { node?: jsep.Expression }) {
    const node = gobbleToken(this);
    if (node) env.node = { type: 'Tagwire', node, start: node.start } as RawNode;
  });
}

export function parseExpression(source: string): ExpressionNode {
  if (typeof source !== 'string') throw new ExpressionError('expression must be a string');
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `expression is ${source.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`,
    );
  }
  if (source.trim() === '') throw new ExpressionError('expression is empty', 0);
  checkNesting(source);
  let raw: RawNode;
  unaryDepth = 0;
  try {
    raw = jsep(source) as RawNode;
  } catch (error) {
    throw toExpressionError(error);
  }
  return toNode(raw, source);
}

function toExpressionError(error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof RangeError) return new ExpressionError('expression is too deeply nested');
  const jsepError = error as { description?: unknown; index?: unknown; message?: unknown };
  if (typeof jsepError.description === 'string' && typeof jsepError.index === 'number') {
    return new ExpressionError(jsepError.description, jsepError.index);
  }
  return new ExpressionError(String(jsepError.message ?? error));
}

/** Counts bracket depth outside string literals and references. */
function checkNesting(source: string): void {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[') {
      depth++;
      if (depth > MAX_NESTING)
        throw new ExpressionError(`expression is nested more than ${MAX_NESTING} levels deep`, i);
    } else if (ch === ')' || ch === ']') depth--;
  }
}

/** Converts what jsep built around our tokens: binary operators, the ternary, and whatever it still refuses. */
function toNode(raw: RawNode, source: string): ExpressionNode {
  switch (raw.type) {
    case 'Tagwire':
      return raw.node as ExpressionNode;
    case 'BinaryExpression': {
      const binary = raw as jsep.BinaryExpression;
      const left = toNode(binary.left as RawNode, source);
      const right = toNode(binary.right as RawNode, source);
      if (binary.operator === '**' && left.kind === 'unary' && !isParenthesized(left, source)) {
        throw new ExpressionError('a sign before ** is ambiguous: write (-x) ** y or -(x ** y)', left.start);
      }
      return { kind: 'binary', operator: binary.operator, left, right, start: left.start };
    }
    case 'ConditionalExpression': {
      const conditional = raw as jsep.ConditionalExpression;
      const test = toNode(conditional.test as RawNode, source);
      return {
        kind: 'conditional',
        test,
        consequent: toNode(conditional.consequent as RawNode, source),
        alternate: toNode(conditional.alternate as RawNode, source),
        start: test.start,
      };
    }
    case 'Compound':
      throw new ExpressionError('one expression expected; found several separated by "," or ";" or a space');
    default:
      throw new ExpressionError(`unsupported syntax (${raw.type})`);
  }
}

/** A parenthesized node starts at its '(' (see gobbleParenthesized). */
function isParenthesized(node: ExpressionNode, source: string): boolean {
  return source[node.start] === '(';
}

function gobbleToken(scope: Hook): ExpressionNode | undefined {
  const start = scope.index;
  const ch = scope.char;
  if (ch === '{') return gobbleReference(scope, start);
  if (ch === '(') return gobbleParenthesized(scope, start);
  if (ch === '[') throw new ExpressionError('arrays are not supported', start);
  if (ch === '"' || ch === "'") return afterPrimary(scope, literalNode(scope.gobbleStringLiteral(), start), false);
  if ((ch >= '0' && ch <= '9') || ch === '.') return afterPrimary(scope, numberNode(scope, start), false);
  const unary = UNARY_OPERATORS.find((op) => startsOperator(scope, op));
  if (unary !== undefined) {
    scope.index += unary.length;
    const argument = gobbleUnaryArgument(scope, start);
    if (!argument) throw new ExpressionError(`expected an expression after ${unary}`, scope.index);
    return { kind: 'unary', operator: unary === '!' ? 'not' : unary, argument: toNode(argument, scope.expr), start };
  }
  if (/[A-Za-z_$\u0080-\uffff]/.test(ch)) return gobbleName(scope, start);
  return undefined;
}

/** Signs nest without brackets (`- - - 1`), so they count towards the same nesting limit. */
let unaryDepth = 0;

function gobbleUnaryArgument(scope: Hook, start: number): RawNode | undefined {
  if (unaryDepth >= MAX_NESTING)
    throw new ExpressionError(`expression is nested more than ${MAX_NESTING} levels deep`, start);
  unaryDepth++;
  try {
    return scope.gobbleToken() as RawNode | undefined;
  } finally {
    unaryDepth--;
  }
}

function startsOperator(scope: Hook, op: string): boolean {
  if (!scope.expr.startsWith(op, scope.index)) return false;
  if (!/[a-z]/.test(op)) return true;
  const next = scope.expr.charAt(scope.index + op.length);
  return !/[A-Za-z0-9_$]/.test(next);
}

function gobbleReference(scope: Hook, start: number): ExpressionNode {
  const end = scope.expr.indexOf('}', start);
  if (end < 0) throw new ExpressionError('unclosed { in a reference', start);
  const reference = scope.expr.slice(start + 1, end).trim();
  if (!REFERENCE_PATTERN.test(reference)) {
    throw new ExpressionError(`invalid reference {${reference}}: expected {device/tag}`, start);
  }
  scope.index = end + 1;
  return afterPrimary(scope, { kind: 'reference', reference, start }, false);
}

function gobbleParenthesized(scope: Hook, start: number): ExpressionNode {
  const inner = scope.gobbleGroup() as RawNode | false;
  if (!inner) throw new ExpressionError('empty parentheses', start);
  if (inner.type === 'SequenceExpression') throw new ExpressionError('one expression expected inside ( )', start);
  const node = toNode(inner, scope.expr);
  return afterPrimary(scope, { ...node, start }, false);
}

function gobbleName(scope: Hook, start: number): ExpressionNode {
  const identifier = scope.gobbleIdentifier() as jsep.Identifier;
  const name = identifier.name;
  scope.gobbleSpaces();
  if (scope.code === OPEN_PAREN) {
    scope.index++;
    const args = (scope.gobbleArguments(CLOSE_PAREN) as unknown as RawNode[]).map((arg) => toNode(arg, scope.expr));
    return afterPrimary(scope, { kind: 'call', name, args, start }, true);
  }
  if (name === 'true' || name === 'false')
    return afterPrimary(scope, { kind: 'literal', value: name === 'true', start }, false);
  throw new ExpressionError(`unknown name '${name}': use {device/tag} for a tag, or call a function`, start);
}

/** Refuses what may follow a value in JavaScript but not here: `.x`, `[i]`, `?.`, and calling a non-function. */
function afterPrimary(scope: Hook, node: ExpressionNode, isCall: boolean): ExpressionNode {
  scope.gobbleSpaces();
  const ch = scope.char;
  if (ch === '.' || ch === '[' || scope.expr.startsWith('?.', scope.index)) {
    throw new ExpressionError('property access is not supported', scope.index);
  }
  if (ch === '(')
    throw new ExpressionError(
      isCall ? 'a function result cannot be called' : 'only functions can be called',
      scope.index,
    );
  return node;
}

function literalNode(raw: jsep.Expression | undefined, start: number): ExpressionNode {
  const literal = raw as jsep.Literal;
  return { kind: 'literal', value: literal.value as string, start };
}

/** Integer literals beyond 2^53 stay exact as bigint; everything else is a double. */
function numberNode(scope: Hook, start: number): ExpressionNode {
  const literal = scope.gobbleNumericLiteral() as jsep.Literal;
  const value = literal.value as number;
  if (/^\d+$/.test(literal.raw) && !Number.isSafeInteger(value))
    return { kind: 'literal', value: BigInt(literal.raw), start };
  return { kind: 'literal', value, start };
}
