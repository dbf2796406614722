/**
 * A device's reconnect backoff (SPEC §3.3: values flow again within the device's backoff,
 * ≤ 10 s by default): capped at `reconnectMaxMs`, reset only once a connection has produced
 * good reads, and one device's outage never touches another. Real Modbus TCP simulators,
 * and the fault-injecting relay for a connection that keeps failing after it is made.
 */
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { FaultRelay } from '../helpers/fault-relay.js';
import { freePort } from '../helpers/mosquitto.js';
import { startTestGateway } from '../helpers/test-gateway.js';

const CAP_MS = 2000;
const INTERVAL_MS = 500;
const TIMEOUT_MS = 1000;
/** What the reliability section promises after the device is back, at worst. */
const PROMISE_MS = CAP_MS + INTERVAL_MS + TIMEOUT_MS;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A demo PLC served on `port` (0 = any free one) until `close()`. */
async function startPlc(port = 0): Promise<{ port: number; sim: ModbusTcpSimulator; close(): Promise<void> }> {
  const demo = createDemoModel();
  demo.start();
  const sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port });
  const listening = await sim.listen();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    demo.stop();
    await sim.close();
  };
  cleanups.push(close);
  return { port: listening.port, sim, close };
}

function plcDevice(name: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    driver: 'modbus-tcp',
    settings: { host: '127.0.0.1', port, timeoutMs: TIMEOUT_MS, retries: 0 },
    groups: [{ name: 'g', intervalMs: INTERVAL_MS, tags: [{ name: 'speed', address: 'hr:2' }] }],
    ...extra,
  };
}

interface Watch {
  /** performance.now() of every good value read, per device. */
  good: Map<string, number[]>;
  /** The device log lines as parsed JSON. */
  logs: Array<Record<string, unknown>>;
}

async function startGateway(devices: unknown[]): Promise<{ runtime: Runtime; watch: Watch }> {
  const watch: Watch = { good: new Map(), logs: [] };
  const log = pino({ level: 'info' }, { write: (line: string) => watch.logs.push(JSON.parse(line)) });
  const gw = await startTestGateway(
    { gateway: { id: 'gw-reconnect' }, devices },
    {
      log,
      beforeStart: (runtime) =>
        runtime.gateway.bus.subscribe({
          reading: (r) => {
            if (!r.items.some((i) => i.value.quality === 'good')) return;
            const list = watch.good.get(r.device) ?? [];
            list.push(performance.now());
            watch.good.set(r.device, list);
          },
        }),
    },
  );
  cleanups.push(() => gw.close());
  return { runtime: gw.runtime, watch };
}

/** The waits the device announced (`retryInMs` of "cannot connect" and "connection lost"), oldest first. */
function retries(watch: Watch, device: string): number[] {
  return watch.logs
    .filter((l) => l.device === device && typeof l.retryInMs === 'number')
    .map((l) => l.retryInMs as number);
}

function counters(runtime: Runtime, device: string): { reads: number; reconnects: number } {
  const all = runtime.gateway.status().devices as Array<{
    name: string;
    state: string;
    counters: { reads: number; reconnects: number };
  }>;
  const found = all.find((d) => d.name === device);
  if (!found) throw new Error(`no device ${device}`);
  return found.counters;
}

describe('device reconnect backoff', () => {
  it('a device down until its backoff is at the cap has values again within cap + interval + timeout of coming back; ' +
    'other devices are untouched', async () => {
    const healthy = await startPlc();
    const downPort = await freePort(); // nothing listens yet: every connect is refused
    const { runtime, watch } = await startGateway([
      plcDevice('down', downPort, { reconnectMaxMs: CAP_MS }),
      plcDevice('healthy', healthy.port),
    ]);
    await vi.waitFor(() => expect(watch.good.get('healthy')?.length ?? 0).toBeGreaterThan(0), { timeout: 10_000 });
    const healthyReadsBefore = counters(runtime, 'healthy').reads;

    // Failures wait 0.5, 1, 2 (the cap), 2, 2 s: after the fifth, the device waits the longest it ever will.
    const fifth = 5;
    await vi.waitFor(() => expect(counters(runtime, 'down').reconnects).toBeGreaterThanOrEqual(fifth), {
      timeout: 30_000,
      interval: 5,
    });
    const waits = retries(watch, 'down');
    expect(waits.length).toBeGreaterThanOrEqual(fifth);
    // It came to the cap, and never waits longer (jitter at the cap only shortens a wait).
    expect(waits[fifth - 1]).toBeGreaterThanOrEqual(CAP_MS * 0.8);
    expect(Math.max(...waits)).toBeLessThanOrEqual(CAP_MS);

    // The device comes back right after a failed attempt: the worst moment.
    const backAt = performance.now();
    await startPlc(downPort);
    await vi.waitFor(() => expect(watch.good.get('down')?.length ?? 0).toBeGreaterThan(0), {
      timeout: 30_000,
      interval: 5,
    });
    const recoveredMs = (watch.good.get('down')?.[0] as number) - backAt;
    console.log(`good values again ${Math.round(recoveredMs)} ms after the device came back (cap ${CAP_MS} ms)`);
    expect(recoveredMs).toBeLessThanOrEqual(PROMISE_MS);

    // The healthy device read all along, never reconnected, and has the default cap.
    expect(counters(runtime, 'healthy').reconnects).toBe(0);
    expect(counters(runtime, 'healthy').reads).toBeGreaterThan(healthyReadsBefore + 5);
    expect(retries(watch, 'healthy')).toEqual([]);
  }, 60_000);

  it('a unit that stops answering is probed with the backoff up to the cap, and has values again within ' +
    'cap + interval + timeout of answering', async () => {
    const plc = await startPlc();
    const { runtime, watch } = await startGateway([plcDevice('silent', plc.port, { reconnectMaxMs: CAP_MS })]);
    await vi.waitFor(() => expect(watch.good.get('silent')?.length ?? 0).toBeGreaterThan(0), { timeout: 10_000 });

    // The TCP connection stays up; the unit stops answering: three reads time out, then every
    // reconnect is one probe read that times out too.
    plc.sim.silentUnits.add(1);
    const fifth = 5;
    await vi.waitFor(() => expect(counters(runtime, 'silent').reconnects).toBeGreaterThanOrEqual(fifth), {
      timeout: 40_000,
      interval: 5,
    });
    const waits = retries(watch, 'silent');
    expect(waits[fifth - 1]).toBeGreaterThanOrEqual(CAP_MS * 0.8);
    expect(Math.max(...waits)).toBeLessThanOrEqual(CAP_MS);

    const backAt = performance.now();
    plc.sim.silentUnits.delete(1);
    await vi.waitFor(() => expect(watch.good.get('silent')?.some((t) => t > backAt)).toBe(true), {
      timeout: 30_000,
      interval: 5,
    });
    const recoveredMs = (watch.good.get('silent')?.find((t) => t > backAt) as number) - backAt;
    console.log(`good values again ${Math.round(recoveredMs)} ms after the unit answered again (cap ${CAP_MS} ms)`);
    expect(recoveredMs).toBeLessThanOrEqual(PROMISE_MS);
  }, 60_000);

  it('a connection that never gives a good read keeps backing off to the cap; good reads reset the backoff', async () => {
    const plc = await startPlc();
    const relay = new FaultRelay(plc.port);
    const relayPort = await relay.listen();
    cleanups.push(() => relay.close());
    const { runtime, watch } = await startGateway([plcDevice('mangled', relayPort, { reconnectMaxMs: CAP_MS })]);
    await vi.waitFor(() => expect(watch.good.get('mangled')?.length ?? 0).toBeGreaterThan(0), { timeout: 10_000 });

    // Every answer mangled: each connection is made, then dropped on a non-Modbus answer.
    relay.faultRate = 1;
    await vi.waitFor(() => expect(retries(watch, 'mangled').length).toBeGreaterThanOrEqual(5), {
      timeout: 30_000,
      interval: 5,
    });
    const storm = retries(watch, 'mangled').slice(0, 5);
    // Connecting again did not reset the backoff: it grew to the cap (before: 0.5 s forever).
    expect(storm[0]).toBeLessThanOrEqual(600);
    expect(storm[4]).toBeGreaterThanOrEqual(CAP_MS * 0.8);
    expect(counters(runtime, 'mangled').reconnects).toBeGreaterThanOrEqual(5);

    // The faults stop: good values within the promise, and those good reads reset the backoff.
    relay.faultRate = 0;
    const calmAt = performance.now();
    await vi.waitFor(() => expect(watch.good.get('mangled')?.some((t) => t > calmAt)).toBe(true), {
      timeout: 30_000,
      interval: 5,
    });
    const recoveredMs = (watch.good.get('mangled')?.find((t) => t > calmAt) as number) - calmAt;
    console.log(`good values again ${Math.round(recoveredMs)} ms after the faults stopped (cap ${CAP_MS} ms)`);
    expect(recoveredMs).toBeLessThanOrEqual(PROMISE_MS);

    // The next fault starts again from the first, short wait.
    const seen = retries(watch, 'mangled').length;
    relay.faultRate = 1;
    await vi.waitFor(() => expect(retries(watch, 'mangled').length).toBeGreaterThan(seen), { timeout: 10_000 });
    expect(retries(watch, 'mangled')[seen]).toBeLessThanOrEqual(600);
    relay.faultRate = 0;
  }, 60_000);
});
