import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HeapHeadroom } from './heap-headroom.js';

/**
 * How much V8 lets the heap grow past what the last full GC kept, in percent. Its own choice
 * (up to 300 % when collections are cheap) lets a gateway whose live data is ~45 MB run a
 * committed heap of 140 MB+ under load — a gateway produces short-lived garbage at a steady
 * rate, so a tighter limit costs a few more incremental collections and saves a third of RSS.
 * Measured at 10k values/s: 50 % → peak RSS 175 MB instead of 280–290 MB, CPU unchanged.
 * Above ~100 MB live the share shrinks (down to 20 %) so the headroom stays ~50 MB.
 */
const HEAP_GROWING_PERCENT = 50;
const HEAP_GROWING_MIN_PERCENT = 20;
const HEAP_HEADROOM_BYTES = 50 * 1024 * 1024;

/** Exported for its tests. */
export const headroom = new HeapHeadroom(HEAP_HEADROOM_BYTES, HEAP_GROWING_MIN_PERCENT, HEAP_GROWING_PERCENT);
let headroomSteered = false;

/**
 * The young generation's largest size (both semi-spaces), in bytes. V8 grows it to 32 MB when
 * many objects survive scavenges — start-up alone does that, and the pages then stay resident
 * for the life of the process, idle or not. Measured (bench/README.md, memory round): 8 MB
 * saved most at 10k values/s but promoted so much more at 100k tags × 100k+ values/s that
 * peak RSS there rose by up to 110 MB; 16 MB keeps that peak at or below V8's own sizing.
 */
export const YOUNG_GENERATION_CAP = 16 * 1024 * 1024;

let steering: YoungGenerationCap | undefined;

/** Applies the gateway's GC settings, each unless the node command line chose it itself. */
export function tuneHeap(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (!/--heap[-_]growing[-_]percent/.test(given)) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    headroomSteered = true;
  }
  if (!/--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/.test(given)) {
    // Frozen during start-up (its garbage goes at collectStartupGarbage), steered afterwards.
    steering ??= new YoungGenerationCap(YOUNG_GENERATION_CAP);
  }
}

function youngGenerationSize(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * `--max-semi-space-size` only counts when node starts, so the cap is kept at run time through
 * the growth factor, which V8 reads whenever it grows the young generation: 2 (V8's own) while
 * doubling stays within `cap`, 1 (no growth) otherwise — set after every GC, so V8 can grow
 * it back after shrinking it when idle. Starts frozen: a long synchronous burst (validating a
 * large configuration) would grow it several times before the first GC notice arrives.
 */
export class YoungGenerationCap {
  private factor = 0;

  constructor(private readonly cap: number) {
    this.setFactor(1);
  }

  /** After a collection (and once to start steering): lets it grow while within the cap. */
  adjust(): void {
    this.setFactor(2 * youngGenerationSize() <= this.cap ? 2 : 1);
  }

  private setFactor(factor: 1 | 2): void {
    if (factor === this.factor) return;
    this.factor = factor;
    // Never 0: V8 crashes on a growth factor of 0.
    setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  }
}

let collections: PerformanceObserver | undefined;

/** One observer of V8's collections for both settings steered after them. */
function observeCollections(): void {
  collections ??= new PerformanceObserver((list) => {
    steering?.adjust();
    if (headroomSteered) headroom.afterCollections(list.getEntries());
  });
  collections.observe({ entryTypes: ['gc'] });
}

/**
 * One full collection once the gateway is up: reading, validating and storing a large
 * configuration leaves garbage that an incremental GC under load would keep committed
 * for a long time (100k tags: RSS 301 → 255 MB). `gc` is exposed only for this call.
 */
export function collectStartupGarbage(): void {
  const exposed = typeof globalThis.gc === 'function';
  if (!exposed) setFlagsFromString('--expose-gc');
  const gc = (exposed ? globalThis.gc : runInNewContext('gc')) as () => void;
  gc();
  if (!exposed) setFlagsFromString('--no-expose-gc');
  // Then the young generation may grow (up to its cap) and the heap's headroom follows its size.
  steering?.adjust();
  if (headroomSteered) headroom.adjust();
  if (steering || headroomSteered) observeCollections();
}
