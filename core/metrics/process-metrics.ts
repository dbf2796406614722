import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/** The event-loop p99 is taken over windows of this length, whatever the scrape interval. */
const WINDOW_MS = 10_000;

/** How often the loop is sampled. The histogram holds the time between samples, so an idle loop reads this. */
const RESOLUTION_MS = 10;

/** The delay beyond the sampling interval, in seconds: what work on the loop held the timer back. */
function delaySeconds(recordedNs: number): number {
  return Math.max(0, recordedNs / 1e6 - RESOLUTION_MS) / 1000;
}

/**
 * prom-client's process and Node.js metrics (CPU, memory, handles, GC, nodejs_eventloop_lag_*,
 * which include prom-client's 10 ms sampling interval: an idle loop shows 10 ms there) and our own
 * event-loop delay p99 beyond the sampling interval, over the last complete 10 s window (over the
 * current one until the first completes). Returns a stop function.
 */
export function processMetrics(registry: Registry): () => void {
  collectDefaultMetrics({ register: registry });
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let lastWindow: number | undefined;
  const rotate = setInterval(() => {
    if (delay.count > 0) lastWindow = delaySeconds(delay.percentile(99));
    delay.reset();
  }, WINDOW_MS);
  rotate.unref();
  new Gauge({
    name: 'tagwire_eventloop_delay_p99_seconds',
    help: '99th percentile of the event-loop delay over the last 10 s window',
    registers: [registry],
    collect() {
      this.set(lastWindow ?? (delay.count > 0 ? delaySeconds(delay.percentile(99)) : 0));
    },
  });
  return () => {
    clearInterval(rotate);
    delay.disable();
  };
}
