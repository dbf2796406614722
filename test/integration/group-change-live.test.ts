/**
 * Adding or editing tags in one group of a Modbus device does not restart the device: the TCP
 * connection to the (simulated) PLC stays open, the other groups keep polling, and only the
 * changed group starts again with its new tags.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeviceStateName } from '../../core/bus.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const demo = createDemoModel();
const sim = new ModbusTcpSimulator(demo.model, { port: 0 });
let gw: TestGateway;
let admin: Record<string, string>;
const states: DeviceStateName[] = [];
const readsOf = new Map<string, number>();

beforeAll(async () => {
  demo.start();
  const { port } = await sim.listen();
  gw = await startTestGateway(
    {
      gateway: { id: 'gw-groups', uns: 'plant' },
      devices: [
        simulatedPlc(port, [
          { name: 'fast', intervalMs: 100, tags: [{ name: 'counter', address: 'ir:4', type: 'uint16' }] },
          { name: 'slow', intervalMs: 200, tags: [{ name: 'speed', address: 'hr:2', type: 'uint16' }] },
        ]),
      ],
    },
    {
      users: { admin: ['groups admin password', 'admin'] },
      beforeStart: (runtime) =>
        runtime.gateway.bus.subscribe({
          reading: (r) => readsOf.set(r.group, (readsOf.get(r.group) ?? 0) + 1),
          state: (_device, state) => states.push(state.state),
        }),
    },
  );
  admin = await gw.login('admin', 'groups admin password');
});

afterAll(async () => {
  await gw?.close();
  demo.stop();
  await sim.close();
});

/** Waits generously: the machine is shared, nothing here depends on tight timing. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 50 });

const value = (tag: string) => gw.runtime.gateway.values().find((v) => v.tag === tag);
const status = () => gw.runtime.gateway.device('plc').status();

describe('a change to one group of a running device', () => {
  it('keeps the connection and the other groups polling; only the changed group restarts', async () => {
    await eventually(() => expect(value('counter')?.quality).toBe('good'));
    await eventually(() => expect(value('speed')?.quality).toBe('good'));
    expect(sim.accepted).toBe(1);
    const statesBefore = states.length;
    const readsBefore = status().counters.reads;

    const res = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/devices/plc/groups/slow/tags',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'setpoint', address: 'hr:0', type: 'float32' }),
    });
    expect(res.statusCode, res.body).toBeLessThan(300);

    // The new tag is read …
    await eventually(() => expect(value('setpoint')?.quality).toBe('good'));
    const fastReads = readsOf.get('fast') ?? 0;
    await eventually(() => expect(readsOf.get('fast') ?? 0).toBeGreaterThan(fastReads + 3));
    // … over the same connection, without the device going through "connecting" again,
    // and its counters go on (a restarted device starts from zero).
    expect(sim.accepted).toBe(1);
    expect(states.slice(statesBefore)).toEqual([]);
    expect(status().counters.reads).toBeGreaterThan(readsBefore);
    expect(status().groups.map((g) => [g.name, g.tags])).toEqual([
      ['fast', 1],
      ['slow', 2],
    ]);
  });

  it('stops reading a removed group, the rest going on', async () => {
    const res = await gw.app.inject({ method: 'DELETE', url: '/api/v1/devices/plc/groups/slow', headers: admin });
    expect(res.statusCode, res.body).toBeLessThan(300);
    const slowReads = readsOf.get('slow') ?? 0;
    const fastReads = readsOf.get('fast') ?? 0;
    await eventually(() => expect(readsOf.get('fast') ?? 0).toBeGreaterThan(fastReads + 5));
    // At most a read already in flight when the group went.
    expect(readsOf.get('slow') ?? 0).toBeLessThanOrEqual(slowReads + 1);
    expect(sim.accepted).toBe(1);
    expect(gw.runtime.gateway.values().map((v) => v.tag)).toEqual(['counter']);
  });

  it('still restarts the device when its connection settings change', async () => {
    const acceptedBefore = sim.accepted;
    const config = (await gw.app.inject({ method: 'GET', url: '/api/v1/config', headers: admin })).json();
    config.devices[0].settings.timeoutMs = 1500;
    const res = await gw.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify(config),
    });
    expect(res.json().restarted.devices).toEqual(['plc']);
    await eventually(() => expect(sim.accepted).toBe(acceptedBefore + 1));
  });
});
