import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets the heap grow past what the last full GC kept, in percent. Its own choice
 * (up to 300 % when collections are cheap) lets a gateway whose live data is ~45 MB run a
 * committed heap of 140 MB+ under load — a gateway produces short-lived garbage at a steady
 * rate, so a tighter limit costs a few more incremental collections and saves a third of RSS.
 * Measured at 10k values/s: 50 % → peak RSS 175 MB instead of 280–290 MB, CPU unchanged.
 */
const HEAP_GROWING_PERCENT = 50;

/** Applies the gateway's GC setting unless the node command line chose one itself. */
export function tuneHeap(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (/--heap[-_]growing[-_]percent/.test(given)) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
