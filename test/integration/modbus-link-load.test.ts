import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { GroupReading } from '../../core/bus.js';
import { validateConfig } from '../../core/config/validate.js';
import { errorCode } from '../../core/errors.js';
import { Gateway } from '../../core/gateway.js';
import { createMetrics } from '../../core/metrics/metrics.js';
import { MAX_QUEUED_WRITES } from '../../drivers/modbus/link.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';

let sim: ModbusTcpSimulator;
let port: number;
let gateway: Gateway | undefined;
let logLines: Array<{ level: number; msg: string; device?: string }>;

beforeEach(async () => {
  sim = new ModbusTcpSimulator(createDemoModel().model, { host: '127.0.0.1', port: 0 });
  ({ port } = await sim.listen());
  logLines = [];
});

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await sim.close();
});

/** A gateway with one modbus-tcp device `plc` on the simulator; `onReading` sees every reading. */
async function startPlc(
  settings: Record<string, unknown>,
  groups: unknown[],
  onReading: (r: GroupReading) => void,
): Promise<Gateway> {
  const checked = validateConfig(
    {
      gateway: { id: 'load' },
      devices: [{ name: 'plc', driver: 'modbus-tcp', settings: { host: '127.0.0.1', port, ...settings }, groups }],
    },
    builtinRegistry(),
  );
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const gw = new Gateway({ registry: builtinRegistry(), log, dataDir: '/nonexistent', version: 't' });
  gateway = gw;
  gw.bus.subscribe({ reading: onReading });
  await gw.start(checked.config);
  return gw;
}

/** The device's link figures from the status API. */
function linkOf(gw: Gateway): Record<string, number> {
  const stats = gw.device('plc').status().link as { link: Record<string, number> };
  return stats.link;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('maxInFlight against a Modbus TCP server that cannot pipeline', () => {
  it('notices that answers go missing only while several requests are outstanding and falls back to one at a time, logged once', {
    timeout: 60_000,
  }, async () => {
    sim.pipelining = false;
    sim.responseDelayMs = 20;
    const group = (name: string, address: string, type = 'uint16') => ({
      name,
      intervalMs: 100,
      publish: 'always',
      tags: [{ name, address, type }],
    });
    let good = 0;
    let bad = 0;
    const gw = await startPlc(
      { maxInFlight: 4, timeoutMs: 300, retries: 0 },
      [
        group('speed', 'hr:2'),
        group('small', 'hr:3', 'int16'),
        group('medium', 'hr:4', 'int32'),
        group('status', 'hr:20'),
      ],
      (r) => {
        for (const item of r.items) {
          if (item.value.quality === 'good') good++;
          else bad++;
        }
      },
    );
    const fallbackLogged = () => logLines.filter((l) => /answers only one request at a time/.test(l.msg));
    await vi.waitFor(() => expect(fallbackLogged()).toHaveLength(1), { timeout: 15_000, interval: 20 });
    expect(linkOf(gw).maxInFlight).toBe(1);
    await vi.waitFor(() => expect(gw.device('plc').currentState.state).toBe('connected'), { timeout: 10_000 });

    // From now on every read is answered, and the connection is never renewed.
    await sleep(1000);
    const reconnectsBefore = gw.device('plc').counters.reconnects;
    const goodBefore = good;
    const badBefore = bad;
    const timeoutsBefore = linkOf(gw).timeouts ?? 0;
    await sleep(3000);
    const goodReads = good - goodBefore;
    console.log(`no pipelining: ${goodReads} good values in 3 s after the fall-back, ${bad - badBefore} bad`);
    expect(bad - badBefore).toBe(0);
    expect(linkOf(gw).timeouts).toBe(timeoutsBefore);
    expect(gw.device('plc').counters.reconnects).toBe(reconnectsBefore);
    expect(gw.device('plc').currentState.state).toBe('connected');
    // 4 groups × 10 reads a second, less what the 2 cores shared with the other tests cost.
    expect(goodReads).toBeGreaterThan(60);
    expect(fallbackLogged()).toHaveLength(1);
    expect(fallbackLogged()[0]).toMatchObject({ level: 40, device: 'plc' });
  });

  it('keeps pipelining against a server that can', { timeout: 30_000 }, async () => {
    sim.responseDelayMs = 20;
    const gw = await startPlc(
      { maxInFlight: 4, timeoutMs: 300, retries: 0 },
      ['a', 'b', 'c', 'd'].map((name) => ({
        name,
        intervalMs: 50,
        publish: 'always',
        tags: [{ name, address: 'hr:2' }],
      })),
      () => undefined,
    );
    await sleep(2000);
    expect(linkOf(gw).maxInFlight).toBe(4);
    expect(linkOf(gw).timeouts).toBe(0);
    expect(logLines.filter((l) => /answers only one request at a time/.test(l.msg))).toEqual([]);
  });
});

describe('a burst of writes on one link', () => {
  it('refuses writes beyond the bound with busy, counts them, and keeps reads flowing', {
    timeout: 60_000,
  }, async () => {
    // Every answer takes 2 ms, so a thousand writes hold the line for seconds.
    sim.responseDelayMs = 2;
    const readAt: number[] = [];
    const gw = await startPlc(
      { timeoutMs: 1000 },
      [
        { name: 'fast', intervalMs: 100, publish: 'always', tags: [{ name: 'speed', address: 'hr:2' }] },
        {
          name: 'setpoints',
          intervalMs: 5000,
          tags: [{ name: 'sp', address: 'hr:100', access: 'readwrite' }],
        },
      ],
      (r) => {
        if (r.group === 'fast' && r.items[0]?.value.quality === 'good') readAt.push(performance.now());
      },
    );
    await vi.waitFor(() => expect(readAt.length).toBeGreaterThan(3), { timeout: 5000 });

    const BURST = 5000;
    const heapBefore = process.memoryUsage().heapUsed;
    const burstStart = performance.now();
    const results = Array.from({ length: BURST }, (_, i) =>
      gw.write('plc', 'sp', i % 1000).then(
        () => 'ok',
        (err: unknown) => errorCode(err),
      ),
    );
    // Handing the burst over costs the event loop a moment: reads are timed from its end.
    const handedOver = performance.now();
    // The bound holds at the peak of the burst.
    const atPeak = linkOf(gw);
    const heapAtPeakMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    const outcomes = await Promise.all(results);
    const burstEnd = performance.now();
    const ok = outcomes.filter((o) => o === 'ok').length;
    const busy = outcomes.filter((o) => o === 'busy').length;

    // Reads kept their turn: never a long gap between two reads of the fast group.
    const during = readAt.filter((t) => t >= handedOver && t <= burstEnd);
    const marks = [handedOver, ...during, burstEnd];
    const gaps = marks.slice(1).map((t, i) => t - (marks[i] as number));
    const maxGap = Math.max(...gaps);
    console.log(
      `write burst: ${ok} written, ${busy} busy in ${(burstEnd - burstStart).toFixed(0)} ms; ` +
        `handed over in ${(handedOver - burstStart).toFixed(0)} ms, ${during.length} reads meanwhile, ` +
        `longest gap ${maxGap.toFixed(0)} ms (gaps over 300 ms: ${gaps.filter((g) => g > 300).map((g) => g.toFixed(0))}); ` +
        `heap +${heapAtPeakMb.toFixed(1)} MB at the peak`,
    );
    expect(atPeak.queuedWrites).toBeLessThanOrEqual(MAX_QUEUED_WRITES);
    expect(ok + busy).toBe(BURST);
    expect(ok).toBeGreaterThanOrEqual(MAX_QUEUED_WRITES);
    expect(ok).toBeLessThanOrEqual(MAX_QUEUED_WRITES + 1);
    expect(linkOf(gw).writesRefused).toBe(busy);
    const metrics = createMetrics(gw, 't');
    const scraped = await metrics.scrape();
    metrics.close();
    expect(scraped).toContain(`tagwire_link_writes_refused_total{link="tcp:127.0.0.1:${port}"} ${busy}`);
    expect(maxGap).toBeLessThan(1000);
    expect(heapAtPeakMb).toBeLessThan(64);
    expect(gw.device('plc').currentState.state).toBe('connected');

    // Nothing is left waiting, and the link takes writes again at once.
    expect(linkOf(gw).queuedWrites).toBe(0);
    await gw.write('plc', 'sp', 4242);
  });
});
