/**
 * The start command's V8 settings, in a fresh node process each (V8 flags are process-wide).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = join(new URL('../../', import.meta.url).pathname, 'dist/core/heap-tuning.js');

function runNode(code: string, nodeArgs: string[] = []): string {
  const script = `import * as heap from ${JSON.stringify(MODULE)};\n${code}`;
  return execFileSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  }).trim();
}

describe('heap tuning', () => {
  it('collects the start-up garbage without leaving gc() exposed', () => {
    const out = runNode(`
      let keep = [];
      for (let i = 0; i < 200000; i++) keep.push({ i, s: 'x' + i });
      keep = null;
      const before = process.memoryUsage().heapUsed;
      heap.collectStartupGarbage();
      const after = process.memoryUsage().heapUsed;
      console.log(JSON.stringify({ freedMb: (before - after) / 1048576, gc: typeof globalThis.gc }));
    `);
    const result = JSON.parse(out) as { freedMb: number; gc: string };
    expect(result.gc).toBe('undefined');
    expect(result.freedMb).toBeGreaterThan(5);
  });

  it('keeps gc() when node was started with --expose-gc', () => {
    const out = runNode('heap.collectStartupGarbage(); console.log(typeof globalThis.gc);', ['--expose-gc']);
    expect(out).toBe('function');
  });
});
