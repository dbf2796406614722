/**
 * `dropped` counts what is really lost. Device and gateway status sent while the broker is
 * not reachable yet are published again on connect, so a fresh start whose device connects
 * before the broker does shows dropped 0 (a red "DROPPED 1" on a fresh demo was this).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { freePort, holdPort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector } from '../helpers/mqtt-collector.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let sim: { port: number; close(): Promise<void> } | undefined;
let gw: TestGateway | undefined;
let broker: Mosquitto | undefined;
let sub: MqttCollector | undefined;

afterAll(async () => {
  await sub?.close();
  await gw?.close();
  await broker?.stop();
  await sim?.close();
});

it('counts nothing as dropped when status changes wait for the first connection', async () => {
  sim = await runModbusSimulator({ host: '127.0.0.1', port: 0 });
  const port = await freePort();
  // The broker's host answers but its port closes every connection: not reachable yet.
  const hold = await holdPort(port);
  gw = await startTestGateway({
    gateway: { id: 'gw-drop', uns: 'dropplant' },
    devices: [simulatedPlc(sim.port, [{ name: 'g', intervalMs: 200, tags: [{ name: 'speed', address: 'hr:2' }] }])],
    north: [{ name: 'plant', plugin: 'mqtt', settings: { url: `mqtt://127.0.0.1:${port}`, qos: 1 } }],
  });
  const runtime = gw.runtime;
  await vi.waitFor(() => expect(runtime.gateway.device('plc').currentState.state).toBe('connected'), {
    timeout: 10_000,
  });
  await hold.close();
  broker = await startMosquitto(port);
  sub = await MqttCollector.connect(broker.url, 'dropplant/#');
  await sub.waitForTopic('dropplant/plc/_status', (m) => field(m, 'state') === 'connected', { timeoutMs: 20_000 });
  await sub.waitForTopic('dropplant/plc/speed', () => true, { timeoutMs: 10_000 });
  const north = runtime.gateway.status().north[0];
  expect(north?.state).toBe('connected');
  expect(north?.counters.dropped).toBe(0);
}, 60_000);
