/**
 * A broker connection that goes silent without closing (half-open: a NAT or firewall forgot
 * it) is noticed within 1.5 × keep-alive, the gateway reconnects, and nothing published at
 * QoS 1 in the meantime is lost.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { simulatedPlc, startTestGateway } from '../helpers/test-gateway.js';

const KEEPALIVE_S = 5;
const TOPIC = 'halfopen/plc/clock';

let broker: Mosquitto;
let brokerPort: number;
let proxy: BlackholeProxy;
let sim: { port: number; close(): Promise<void> };

beforeAll(async () => {
  brokerPort = await freePort();
  broker = await startMosquitto(brokerPort);
  proxy = new BlackholeProxy(brokerPort);
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await proxy.close();
  await broker.stop();
  await sim.close();
});

describe('half-open broker connection', () => {
  it(`is noticed within 1.5 × keep-alive (${KEEPALIVE_S} s), reconnected, and loses nothing at QoS 1`, {
    timeout: 60_000,
  }, async () => {
    const proxyPort = await proxy.listen();
    const stamps = new Set<number>();
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'halfopen-sub' });
    sub.on('message', (_t, payload) => stamps.add((JSON.parse(payload.toString()) as { timestamp: number }).timestamp));
    await sub.subscribeAsync(TOPIC, { qos: 1 });

    const published: number[] = [];
    const gw = await startTestGateway(
      {
        gateway: { id: 'halfopen', uns: 'halfopen' },
        devices: [
          simulatedPlc(sim.port, [
            {
              name: 'g',
              intervalMs: 100,
              publish: 'always',
              tags: [{ name: 'clock', address: 'ir:10', type: 'uint64' }],
            },
          ]),
        ],
        north: [
          {
            name: 'broker',
            plugin: 'mqtt',
            settings: { url: `mqtt://127.0.0.1:${proxyPort}`, qos: 1, retain: false, keepalive: KEEPALIVE_S },
          },
        ],
      },
      {
        beforeStart: (runtime) =>
          runtime.gateway.bus.subscribe({
            reading: (r) => {
              for (const i of r.items) if (i.publish) published.push(i.value.timestamp);
            },
          }),
      },
    );
    const runtime = gw.runtime;
    const northState = () => (runtime.gateway.status().north[0] as { state: string }).state;
    try {
      await vi.waitFor(() => expect(stamps.size).toBeGreaterThan(5), { timeout: 10_000, interval: 20 });

      expect(proxy.swallowOpenConnections()).toBe(1);
      const silentFrom = Date.now();
      await vi.waitFor(() => expect(northState()).not.toBe('connected'), { timeout: 15_000, interval: 50 });
      const noticedAfterMs = Date.now() - silentFrom;
      // The gateway pings every keep-alive and gives up 1.5 × keep-alive after the last answer,
      // which came before the silence (≤ 7.5 s here); the margin is timer lateness on a loaded box.
      expect(noticedAfterMs).toBeLessThanOrEqual(1.5 * KEEPALIVE_S * 1000 + 1500);

      await vi.waitFor(() => expect(northState()).toBe('connected'), { timeout: 15_000, interval: 50 });
      const upTo = published.length;
      await vi.waitFor(
        () => {
          const missing = published.slice(0, upTo).filter((t) => !stamps.has(t));
          expect(missing, `${missing.length} of ${upTo} values missing`).toEqual([]);
        },
        { timeout: 20_000, interval: 100 },
      );
      console.log(`half-open: noticed after ${noticedAfterMs} ms, ${upTo} values, none lost`);
    } finally {
      await gw.close();
      await sub.endAsync();
    }
  });
});
