import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/** The event-loop p99 is taken over windows of this length, whatever the scrape interval. */
const WINDOW_MS = 10_000;

/**
 * prom-client's process and Node.js metrics (CPU, memory, handles, GC, nodejs_eventloop_lag_*)
 * and our own event-loop delay p99 over the last complete 10 s window (over the current one
 * until the first completes). Returns a stop function.
 */
export function processMetrics(registry: Registry): () => void {
  collectDefaultMetrics({ register: registry });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastWindow: number | undefined;
  const rotate = setInterval(() => {
    if (delay.count > 0) lastWindow = delay.percentile(99) / 1e9;
    delay.reset();
  }, WINDOW_MS);
  rotate.unref();
  new Gauge({
    name: 'tagwire_eventloop_delay_p99_seconds',
    help: '99th percentile of the event-loop delay over the last 10 s window',
    registers: [registry],
    collect() {
      this.set(lastWindow ?? (delay.count > 0 ? delay.percentile(99) / 1e9 : 0));
    },
  });
  return () => {
    clearInterval(rotate);
    delay.disable();
  };
}
