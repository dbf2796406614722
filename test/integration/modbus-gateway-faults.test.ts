import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { GroupReading } from '../../core/bus.js';
import { validateConfig } from '../../core/config/validate.js';
import { Gateway } from '../../core/gateway.js';
import { silentLogger } from '../../core/log.js';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let port: number;
let gateway: Gateway | undefined;

beforeEach(async () => {
  demo = createDemoModel();
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  ({ port } = await sim.listen());
});

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await sim.close();
});

/**
 * Starts a gateway polling the simulator with `devices` (modbus-tcp; host and port filled
 * in); `onReading` sees every group reading from the first one.
 */
async function startGateway(
  devices: Array<Record<string, unknown>>,
  onReading: (r: GroupReading) => void,
): Promise<Gateway> {
  const checked = validateConfig(
    {
      gateway: { id: 'faults' },
      devices: devices.map((d) => ({
        driver: 'modbus-tcp',
        ...d,
        settings: { host: '127.0.0.1', port, ...(d.settings as object) },
      })),
    },
    builtinRegistry(),
  );
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  const gw = new Gateway({ registry: builtinRegistry(), log: silentLogger(), dataDir: '/nonexistent', version: 't' });
  gateway = gw;
  gw.bus.subscribe({ reading: onReading });
  await gw.start(checked.config);
  return gw;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a unit behind a Modbus TCP→RTU gateway that does not answer', () => {
  it('is backed off on exception 11 like a timeout, while a healthy unit on the same link keeps its rate', {
    timeout: 60_000,
  }, async () => {
    // The gateway answers 0x0B for unit 2 only after its own RTU timeout, and serves one
    // request at a time: while it waits for unit 2, unit 1 waits too.
    const RTU_TIMEOUT_MS = 300;
    sim.gatewayFailures.set(2, { exception: 0x0b, delayMs: RTU_TIMEOUT_MS });
    // Longer than one gateway timeout (a probe may delay a read by that much), shorter than
    // the three a healthy read may wait when the dead unit keeps the line busy.
    const HEALTHY_INTERVAL_MS = 500;
    const goodAt: Record<string, number[]> = { healthy: [], dead: [] };
    const gw = await startGateway(
      [
        {
          // Three blocks too: on a busy line each waits for the request in flight before it.
          name: 'healthy',
          settings: { unitId: 1, timeoutMs: 2000, maxGap: 0 },
          groups: [
            {
              name: 'fast',
              intervalMs: HEALTHY_INTERVAL_MS,
              publish: 'always',
              tags: [
                { name: 'speed', address: 'hr:2' },
                { name: 'scratch', address: 'hr:100' },
                { name: 'more', address: 'hr:1200' },
              ],
            },
          ],
        },
        {
          // Three blocks: unanswered, each would hold the line for the gateway's RTU timeout.
          name: 'dead',
          settings: { unitId: 2, timeoutMs: 2000, maxGap: 0 },
          groups: [
            {
              name: 'g',
              intervalMs: 200,
              publish: 'always',
              tags: [
                { name: 'speed', address: 'hr:2' },
                { name: 'scratch', address: 'hr:100' },
                { name: 'more', address: 'hr:1200' },
              ],
            },
          ],
        },
      ],
      (r) => {
        if (r.items.every((i) => i.value.quality === 'good')) goodAt[r.device]?.push(performance.now());
      },
    );
    const healthy = gw.device('healthy');
    const dead = gw.device('dead');

    // Three reads answered 0x0B in a row: the unit is reported like one that times out.
    await vi.waitFor(
      () => expect(dead.currentState).toMatchObject({ state: 'disconnected', error: 'modbus-exception-11' }),
      {
        timeout: 10_000,
        interval: 20,
      },
    );

    // While it is backed off, it costs one probe per reconnect attempt, nothing more.
    const deadRequestsBefore = sim.requestsPerUnit.get(2) ?? 0;
    const reconnectsBefore = dead.counters.reconnects;
    const healthyReadsBefore = goodAt.healthy!.length;
    const WINDOW_MS = 6000;
    await sleep(WINDOW_MS);
    const deadRequests = (sim.requestsPerUnit.get(2) ?? 0) - deadRequestsBefore;
    const attempts = dead.counters.reconnects - reconnectsBefore;
    const healthyReads = goodAt.healthy!.length - healthyReadsBefore;
    console.log(
      `gateway 0x0B: ${deadRequests} requests to the dead unit in ${WINDOW_MS} ms (${attempts} reconnect attempts), ` +
        `healthy unit ${healthyReads} good reads, ${healthy.counters.overruns} overruns since the start`,
    );
    expect(dead.currentState).toMatchObject({ state: 'disconnected', error: 'modbus-exception-11' });
    expect(deadRequests).toBeLessThanOrEqual(attempts + 1);
    expect(deadRequests).toBeLessThanOrEqual(5);

    // The healthy unit on the same host:port kept its interval the whole time.
    expect(healthy.currentState.state).toBe('connected');
    expect(healthyReads).toBeGreaterThanOrEqual(WINDOW_MS / HEALTHY_INTERVAL_MS - 2);
    expect(healthy.counters.overruns).toBe(0);
    expect(healthy.counters.readErrors).toBe(0);

    // The unit answers again: the next probe finds it and its values flow.
    sim.gatewayFailures.delete(2);
    const deadGoodBefore = goodAt.dead!.length;
    await vi.waitFor(
      () => {
        expect(dead.currentState.state).toBe('connected');
        expect(goodAt.dead!.length).toBeGreaterThan(deadGoodBefore);
      },
      { timeout: 35_000, interval: 50 },
    );
  });
});
