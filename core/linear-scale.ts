/**
 * `published = raw * scale + offset`, computed so that a decimal scale gives the decimal a
 * person expects: in floating point 2440 × 0.01 is 24.400000000000002, while 2440 ÷ 100 is
 * 24.4. A scale whose inverse is a whole number (0.1, 0.01, 0.001, 0.5 …) divides by it.
 */
export function linearScale(scale: number, offset: number): (raw: number) => number {
  const inverse = 1 / scale;
  const divisor = Math.round(inverse);
  if (Math.abs(divisor) > 1 && Math.abs(inverse - divisor) <= 1e-9 * Math.abs(divisor)) {
    return offset === 0 ? (raw) => raw / divisor : (raw) => raw / divisor + offset;
  }
  return offset === 0 ? (raw) => raw * scale : (raw) => raw * scale + offset;
}
