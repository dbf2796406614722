import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { processMetrics } from '../../../core/metrics/process-metrics.js';

async function delayP99(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('tagwire_eventloop_delay_p99_seconds')?.get();
  return metric?.values[0]?.value ?? Number.NaN;
}

describe('event-loop delay metric', () => {
  it('reads the delay beyond its 10 ms sampling timer: an idle loop is near 0, a blocked one shows the block', async () => {
    const idle = new Registry();
    const stopIdle = processMetrics(idle);
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      // The histogram alone would say 10 ms here: the time between two samples of an idle loop.
      expect(await delayP99(idle)).toBeLessThan(0.008);
    } finally {
      stopIdle();
    }
    const busy = new Registry();
    const stopBusy = processMetrics(busy);
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const until = performance.now() + 80;
      while (performance.now() < until) {
        // the loop is held for 80 ms: one of the few samples is that late
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
      const blocked = await delayP99(busy);
      expect(blocked).toBeGreaterThan(0.06);
      expect(blocked).toBeLessThan(0.5);
    } finally {
      stopBusy();
    }
  });
});
