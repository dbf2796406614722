import { describe, expect, it } from 'vitest';
import { linearScale } from '../../../core/linear-scale.js';

describe('linearScale: published = raw * scale + offset as a person writes it', () => {
  it('a decimal scale gives the decimal, not its binary neighbour', () => {
    expect(2440 * 0.01).not.toBe(24.4); // what plain multiplication publishes
    expect(linearScale(0.01, 0)(2440)).toBe(24.4);
    expect(linearScale(0.1, 0)(1506)).toBe(150.6);
    expect(linearScale(0.001, 0)(-12345)).toBe(-12.345);
    expect(linearScale(0.1, -40)(653)).toBe(65.3 - 40);
  });

  it('other scales multiply, and an offset is added', () => {
    expect(linearScale(2, 0)(21)).toBe(42);
    expect(linearScale(0.3, 0)(10)).toBe(10 * 0.3);
    expect(linearScale(1, 5)(10)).toBe(15);
    expect(linearScale(-0.5, 0)(7)).toBe(-3.5);
  });
});
