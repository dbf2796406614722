import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError, type ExpressionValue } from '../../../../core/expression/index.js';

const values: Record<string, ExpressionValue> = {
  'meter1/voltage': 230,
  'meter1/current': 12.5,
  'plc/status': 0b1010,
  'plc/run': true,
  'plc/name': 'filler',
  'plc/counter64': 9007199254740993n,
  'plc/big': 18446744073709551615n,
  'oven/temperature': 81.5,
  'oven/limit': 80,
  'oven/door-open': false,
};

function run(source: string, env: Record<string, ExpressionValue> = values): ExpressionValue {
  return compileExpression(source).evaluate((reference) => env[reference]);
}

function compileError(source: string): ExpressionError {
  try {
    compileExpression(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error(`expected ${JSON.stringify(source.slice(0, 40))} to be refused`);
}

function runtimeError(source: string): ExpressionError {
  const compiled = compileExpression(source);
  try {
    compiled.evaluate((reference) => values[reference]);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error(`expected ${source} to fail when evaluated`);
}

describe('expression language (SPEC §3.4)', () => {
  it('computes the README examples', () => {
    expect(run('{meter1/voltage} * {meter1/current} / 1000')).toBe(2.875);
    expect(run('{oven/temperature} * 9 / 5 + 32')).toBeCloseTo(178.7, 10);
    expect(run('bit({plc/status}, 1) and not bit({plc/status}, 0)')).toBe(true);
    expect(run('{oven/temperature} > {oven/limit} and not {oven/door-open}')).toBe(true);
  });

  it('has the operators with the usual precedence', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('2 ** 3 ** 2')).toBe(512);
    expect(run('7 % 4')).toBe(3);
    expect(run('-3 + 5')).toBe(2);
    expect(run('(-2) ** 2')).toBe(4);
    expect(run('1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3 and 1 == 1 and 1 != 2')).toBe(true);
    expect(run('false or true and false')).toBe(false);
    expect(run('not false')).toBe(true);
    expect(run('!true || true && false')).toBe(false);
    expect(run('{plc/run} ? 1 : 2')).toBe(1);
    expect(run('1 > 2 ? "a" : 2 > 1 ? "b" : "c"')).toBe('b');
  });

  it('has strings in double or single quotes', () => {
    expect(run(`{plc/name} == "filler" and 'x' != "y"`)).toBe(true);
    expect(run(`"ab" + 'cd'`)).toBe('abcd');
    expect(run(`"b" > "a"`)).toBe(true);
  });

  it('has the listed functions', () => {
    expect(run('abs(-4)')).toBe(4);
    expect(run('min(3, 1, 2)')).toBe(1);
    expect(run('max(3, 1, 2)')).toBe(3);
    expect(run('round(2.5)')).toBe(3);
    expect(run('round(-2.5)')).toBe(-3);
    expect(run('round(1.005, 2)')).toBe(1.01);
    expect(run('round(1234.5, -2)')).toBe(1200);
    expect(run('floor(2.7) + ceil(2.1)')).toBe(5);
    expect(run('sqrt(16)')).toBe(4);
    expect(run('pow(2, 10)')).toBe(1024);
    expect(run('log(exp(2))')).toBeCloseTo(2, 12);
    expect(run('log10(1000)')).toBeCloseTo(3, 12);
    expect(run('clamp(120, 0, 100)')).toBe(100);
    expect(run('clamp(-5, 0, 100)')).toBe(0);
    expect(run('bit(5, 0)')).toBe(true);
    expect(run('bit(5, 1)')).toBe(false);
    expect(run('bit(-1, 63)')).toBe(true);
  });

  it('counts booleans as 0 and 1 in arithmetic, so bits can be summed', () => {
    expect(run('bit(7, 0) + bit(7, 1) + bit(7, 3)')).toBe(2);
  });

  it('keeps 64-bit integers exact where both sides are integers', () => {
    expect(run('{plc/counter64} + 1')).toBe(9007199254740994n);
    expect(run('{plc/counter64} * 2')).toBe(18014398509481986n);
    expect(run('{plc/big} - 1')).toBe(18446744073709551614n);
    expect(run('{plc/counter64} / 3')).toBe(3002399751580331n);
    expect(run('{plc/counter64} % 10')).toBe(3n);
    expect(run('{plc/counter64} == 9007199254740993')).toBe(true);
    expect(run('{plc/counter64} > 9007199254740992')).toBe(true);
    expect(run('bit({plc/big}, 63)')).toBe(true);
    expect(run('abs(-{plc/counter64})')).toBe(9007199254740993n);
    expect(run('max({plc/counter64}, 1)')).toBe(9007199254740993n);
  });

  it('turns a 64-bit integer into a double where the result cannot be an integer', () => {
    expect(run('{plc/counter64} / 2')).toBe(Number(9007199254740993n) / 2);
    expect(run('{plc/counter64} * 0.5')).toBe(Number(9007199254740993n) * 0.5);
    expect(run('sqrt(4 + 0 * {plc/counter64})')).toBe(2);
  });

  it('lists references in order of first use, once each', () => {
    const compiled = compileExpression('{b/x} + {a/y/z} * {b/x} + { c/w }');
    expect(compiled.references).toEqual(['b/x', 'a/y/z', 'c/w']);
    expect(compiled.source).toBe('{b/x} + {a/y/z} * {b/x} + { c/w }');
  });

  it('gives syntax errors with their position', () => {
    const error = compileError('{a/b} + * 2');
    expect(error.position).toBe(8);
    expect(error.message).toContain('position 8');
    expect(compileError('(1 + 2').message).toMatch(/Unclosed \(/);
    expect(compileError('1 +').position).toBe(3);
    expect(compileError('{a/b').position).toBe(0);
    expect(compileError('1 + {oops}').position).toBe(4);
    expect(compileError('1 & 2').position).toBe(2);
    expect(compileError('').position).toBe(0);
  });

  it('refuses unknown functions and names with their position', () => {
    const error = compileError('1 + sin(2)');
    expect(error.message).toMatch(/unknown function 'sin'/);
    expect(error.position).toBe(4);
    expect(compileError('1 + pi').message).toMatch(/unknown name 'pi'/);
    expect(compileError('round()').message).toMatch(/round\(\) takes 1 to 2 argument/);
    expect(compileError('-2 ** 2').message).toMatch(/ambiguous/);
  });

  it('reports runtime failures as ExpressionError with the position of the failing part', () => {
    expect(runtimeError('1 + {x/missing}').message).toMatch(/\{x\/missing\} has no value/);
    expect(runtimeError('1 + {x/missing}').position).toBe(4);
    expect(runtimeError('{meter1/voltage} / 0').message).toMatch(/division by zero/);
    expect(runtimeError('{plc/counter64} % 0').message).toMatch(/division by zero/);
    expect(runtimeError('{plc/name} * 2').message).toMatch(/needs a number, got a string/);
    expect(runtimeError('{plc/run} > 1').message).toMatch(/cannot compare boolean > number/);
    expect(runtimeError('sqrt(-1)').message).toMatch(/not a finite number/);
    expect(runtimeError('10 ** 400').message).toMatch(/not a finite number/);
    expect(runtimeError('bit(1.5, 0)').message).toMatch(/integer/);
    expect(runtimeError('{plc/name} ? 1 : 2').message).toMatch(/needs a boolean/);
  });

  it('evaluates only the branch taken and short-circuits and/or', () => {
    expect(run('true or {x/missing} > 1')).toBe(true);
    expect(run('false and {x/missing} > 1')).toBe(false);
    expect(run('true ? 1 : {x/missing}')).toBe(1);
  });
});

describe('nothing but the language is reachable', () => {
  const escapes = [
    'constructor',
    'constructor(1)',
    '__proto__',
    'this',
    'this.constructor',
    'process',
    'process.exit(1)',
    'globalThis',
    'globalThis.process',
    'Function("return process")()',
    'eval("1")',
    'require("fs")',
    'import("fs")',
    'toString()',
    'hasOwnProperty("x")',
    'a.b',
    'a[0]',
    '{a/b}.constructor',
    '{a/b}["constructor"]',
    '"x".constructor',
    '"x"["length"]',
    '(1).constructor',
    '[1, 2]',
    'abs.constructor',
    'abs(1)(2)',
    'abs(1).x',
    '{a/b}?.x',
    'x = 1',
    '1; 2',
    '{__proto__/x}',
    '{constructor}',
    '`template`',
    '{a/b} => 1',
    'new Function("x")',
    'typeof {a/b}',
  ];

  for (const source of escapes) {
    it(`refuses ${source}`, () => {
      const error = compileError(source);
      expect(error.message.length).toBeGreaterThan(5);
    });
  }

  it('looks names up only among its own functions, never on a prototype', () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', '__defineGetter__']) {
      expect(compileError(`${name}(1)`).message).toMatch(new RegExp(`unknown function '${name}'`));
    }
  });

  it('passes a reference name only to the value lookup, as a plain string', () => {
    const asked: string[] = [];
    const result = compileExpression('{constructor/prototype} + 1').evaluate((reference) => {
      asked.push(reference);
      return 1;
    });
    expect(result).toBe(2);
    expect(asked).toEqual(['constructor/prototype']);
  });

  it('refuses a value of another kind handed in by the lookup', () => {
    const compiled = compileExpression('{a/b} + 1');
    expect(() => compiled.evaluate(() => ({}) as unknown as ExpressionValue)).toThrow(
      /not a number, boolean or string/,
    );
  });

  it('refuses a 10,000-character input before parsing it', () => {
    const error = compileError(`1${' + 1'.repeat(2000)}`);
    expect(error.message).toMatch(/at most 4000 are allowed/);
  });

  it('refuses 1000-deep nesting with a clear error instead of exhausting the stack', () => {
    const error = compileError(`${'('.repeat(1000)}1${')'.repeat(1000)}`);
    expect(error.message).toMatch(/nested more than 64 levels/);
    expect(error.position).toBe(64);
    expect(compileError(`${'abs('.repeat(500)}1${')'.repeat(500)}`).message).toMatch(/nested more than/);
    expect(compileError(`${'- '.repeat(1000)}1`).message).toMatch(/nested more than 64 levels/);
  });

  it('copes with a long flat expression within the limit', () => {
    expect(run(`1${' + 1'.repeat(900)}`)).toBe(901);
    expect(run(`${'not '.repeat(60)}true`)).toBe(true);
  });

  it('caps exponentiation of integers instead of hanging', () => {
    const started = Date.now();
    expect(() => run('{plc/counter64} ** 100000000')).toThrow(/not a finite number/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('leaves the global object and prototypes untouched', () => {
    for (const source of escapes) {
      try {
        compileExpression(source).evaluate(() => 1);
      } catch {
        // refused, as tested above
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(typeof process.exit).toBe('function');
  });
});

describe('expressions of the same shape share one evaluator', () => {
  it('each evaluates its own inputs and names its own references in errors', () => {
    const a = compileExpression('{a/x} * 2 + 1');
    const b = compileExpression('{b/y} * 2 + 1');
    expect(a.evaluateInputs([20])).toBe(41);
    expect(b.evaluateInputs([5])).toBe(11);
    expect(a.evaluate((r) => ({ 'a/x': 3 })[r])).toBe(7);
    expect(() => a.evaluateInputs([undefined])).toThrow('{a/x} has no value (at position 0)');
    expect(() => b.evaluateInputs([null])).toThrow('{b/y} has no value (at position 0)');
    const two = compileExpression('{p/v} * {p/i} - {p/v}');
    const other = compileExpression('{q/v} * {q/i} - {q/v}');
    expect(two.evaluateInputs([230, 12.5])).toBe(2645);
    expect(() => other.evaluateInputs([2, undefined])).toThrow('{q/i} has no value (at position 8)');
  });

  it('keeps literals apart by type and exact value', () => {
    const cases: Array<[string, ExpressionValue]> = [
      ['{a/x} == 5', true],
      ['{a/x} == "5"', false],
      ['{a/x} + 0.5', 5.5],
      ['{a/x} + 1e999 > 0', true],
      ['{a/x} + 9007199254740993', 9007199254740998n],
    ];
    for (const [source, expected] of cases) {
      expect(compileExpression(source).evaluateInputs([source.includes('900') ? 5n : 5]), source).toBe(expected);
    }
  });
});
