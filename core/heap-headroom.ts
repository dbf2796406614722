import { constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

const isFullCollection = (entry: PerformanceEntry): boolean =>
  (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

/**
 * The old generation's growth past what the last full GC kept, as a share of it: 50 % while
 * the live heap is small, less as it grows, so that the headroom stays near `headroomBytes`
 * instead of growing with the tag count. A 100k-tag gateway keeps ~200 MB live: 50 % let its
 * heap run 100 MB above that between full collections; the smaller share costs more frequent
 * (concurrent) marking only where the heap is large.
 */
export class HeapHeadroom {
  private percent = 0;

  constructor(
    private readonly headroomBytes: number,
    private readonly minPercent: number,
    private readonly maxPercent: number,
  ) {}

  /** After V8's collections: the share follows the live heap whenever a full one ran. */
  afterCollections(entries: readonly PerformanceEntry[]): void {
    if (entries.some(isFullCollection)) this.adjust();
  }

  /** The share in use, in percent (0 before the first adjust). */
  current(): number {
    return this.percent;
  }

  /** The share for a live heap of `liveBytes`. */
  percentFor(liveBytes: number): number {
    const share = Math.floor((100 * this.headroomBytes) / Math.max(1, liveBytes));
    return Math.min(this.maxPercent, Math.max(this.minPercent, share));
  }

  /** Sets the share for the live heap now. */
  adjust(): void {
    const percent = this.percentFor(getHeapStatistics().used_heap_size);
    if (percent === this.percent) return;
    this.percent = percent;
    setFlagsFromString(`--heap-growing-percent=${percent}`);
  }
}
