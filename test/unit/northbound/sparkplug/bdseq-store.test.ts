import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BdSeqStore } from '../../../../northbound/sparkplug/bdseq-store.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-bdseq-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('BdSeqStore', () => {
  it('starts at 0 and counts one per connect', () => {
    const store = BdSeqStore.forApp(dataDir(), 'spb');
    expect(store.last()).toBeUndefined();
    expect([store.next(), store.next(), store.next()]).toEqual([0, 1, 2]);
    expect(store.last()).toBe(2);
  });

  it('survives a restart (a new store on the same data directory)', () => {
    const dir = dataDir();
    BdSeqStore.forApp(dir, 'spb').next();
    BdSeqStore.forApp(dir, 'spb').next();
    expect(BdSeqStore.forApp(dir, 'spb').next()).toBe(2);
    // Another app has its own sequence.
    expect(BdSeqStore.forApp(dir, 'other').next()).toBe(0);
  });

  it('wraps 255 → 0', () => {
    const store = BdSeqStore.forApp(dataDir(), 'spb');
    mkdirSync(dirname(store.file), { recursive: true });
    writeFileSync(store.file, JSON.stringify({ bdSeq: 254 }));
    expect(store.next()).toBe(255);
    expect(store.next()).toBe(0);
  });

  it('starts over at 0 when the file is damaged', () => {
    const store = BdSeqStore.forApp(dataDir(), 'spb');
    mkdirSync(dirname(store.file), { recursive: true });
    writeFileSync(store.file, '{"bdSeq": 9');
    expect(store.next()).toBe(0);
    writeFileSync(store.file, JSON.stringify({ bdSeq: 300 }));
    expect(store.next()).toBe(0);
  });
});
