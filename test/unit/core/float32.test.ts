import { describe, expect, it } from 'vitest';
import { shortestFloat32, shortestFloat32Reference } from '../../../core/float32.js';

/** Every float32 whose bits are `bits`, as a double. */
function fromBits(bits: number): number {
  const f = new Float32Array(1);
  new Uint32Array(f.buffer)[0] = bits >>> 0;
  return f[0] as number;
}

function bitsOf(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0] as number;
}

/** Fails with the first value where the arithmetic and the toPrecision definition disagree. */
function expectSameAsReference(values: Iterable<number>): void {
  for (const x of values) {
    const fast = shortestFloat32(x);
    const reference = shortestFloat32Reference(x);
    if (!Object.is(fast, reference)) expect({ x, fast }).toEqual({ x, fast: reference });
  }
}

describe('shortestFloat32', () => {
  it('prints float32 values as the shortest decimal that reads back the same', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(22.526442))).toBe(22.526442);
    expect(shortestFloat32(Math.fround(22.53))).toBe(22.53);
    expect(shortestFloat32(Math.fround(-1e-7))).toBe(-1e-7);
    expect(shortestFloat32(Math.fround(3.4028234663852886e38))).toBe(3.4028235e38);
    expect(shortestFloat32(-0)).toBe(0);
    expect(shortestFloat32(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(shortestFloat32(Number.NaN)).toBeNaN();
  });

  it('gives exactly what the toPrecision definition gives, for random bit patterns', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    expectSameAsReference(Array.from({ length: 200_000 }, () => fromBits(random())));
  });

  it('and next to every power of ten, for integers and for decimal steps', () => {
    const values: number[] = [];
    for (let e = -45; e <= 38; e++) {
      const bits = bitsOf(Math.fround(Number(`1e${e}`)));
      for (let d = -64; d <= 64; d++) values.push(fromBits(bits + d), -fromBits(bits + d));
    }
    for (let i = -20_000; i <= 20_000; i++) {
      for (const step of [1, 0.5, 0.1, 0.001, 1e5]) values.push(Math.fround(i * step));
    }
    expectSameAsReference(values);
  });
});
