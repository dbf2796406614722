/** Nanoseconds per item of a function that handles `items` items per call, after a warm-up. */
export interface MicroResult {
  name: string;
  nsPerItem: number;
  note: string;
}

export function timeIt(name: string, items: number, fn: () => void, note = '', minMs = 300): MicroResult {
  const warmUntil = performance.now() + minMs / 3;
  while (performance.now() < warmUntil) fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < minMs) {
    for (let i = 0; i < 10; i++) fn();
    calls += 10;
    now = performance.now();
  }
  return { name, nsPerItem: Math.round(((now - start) * 1e6) / (calls * items)), note };
}
