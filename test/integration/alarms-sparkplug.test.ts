/**
 * Alarm state as Sparkplug B device metrics (`{tag}/_alarm/{alarm}/active` and `…/acked`): the
 * simulated Modbus PLC, the real runtime with a `sparkplug-b` north app, a real mosquitto, and a
 * test-side host decoding every message with Tahu's sparkplug-payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { aliasNames, metricNamed, SparkplugHost, type SpMessage } from '../helpers/sparkplug-host.js';
import { simulatedPlc, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const GROUP = 'AlarmPlant';
const REGISTER = 104;
let broker: Mosquitto;
let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let gw: TestGateway;
let host: SparkplugHost;

beforeAll(async () => {
  broker = await startMosquitto();
  demo = createDemoModel();
  demo.start();
  demo.model.setRegister(1, 'hr', REGISTER, 10);
  sim = new ModbusTcpSimulator(demo.model, { port: 0 });
  const { port } = await sim.listen();
  host = await SparkplugHost.connect(broker.url);
  gw = await startTestGateway({
    gateway: { id: 'edge-alarms' },
    devices: [
      simulatedPlc(port, [
        {
          name: 'fast',
          intervalMs: 200,
          tags: [{ name: 'level', address: `hr:${REGISTER}`, type: 'uint16', alarms: [{ name: 'high', above: 50 }] }],
        },
      ]),
    ],
    north: [{ name: 'scada', plugin: 'sparkplug-b', settings: { url: broker.url, groupId: GROUP } }],
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await gw?.close();
  await sim?.close();
  demo?.stop();
  await broker?.stop();
});

const of = (type: string) => (m: SpMessage) => m.group === GROUP && m.type === type && m.device === 'plc';

describe('alarms as Sparkplug metrics', { timeout: 60_000 }, () => {
  it('announces active and acked in DBIRTH and sends each change as DDATA', async () => {
    const dbirth = await host.waitFor(of('DBIRTH'), { timeoutMs: 20_000 });
    expect(metricNamed(dbirth, 'level/_alarm/high/active')).toMatchObject({ type: 'Boolean', value: false });
    expect(metricNamed(dbirth, 'level/_alarm/high/acked')).toMatchObject({ type: 'Boolean', value: true });
    const names = aliasNames(dbirth);
    const alarmMetrics = (m: SpMessage) =>
      Object.fromEntries(
        m.metrics
          .map((x) => [names.get(x.alias ?? -1), x.value] as const)
          .filter(([name]) => name?.includes('/_alarm/')),
      );

    let since = host.mark();
    demo.model.setRegister(1, 'hr', REGISTER, 60);
    const raised = await host.waitFor((m) => of('DDATA')(m) && 'level/_alarm/high/active' in alarmMetrics(m), {
      since,
      timeoutMs: 20_000,
    });
    expect(alarmMetrics(raised)).toEqual({ 'level/_alarm/high/active': true, 'level/_alarm/high/acked': false });

    since = host.mark();
    const [alarm] = gw.runtime.gateway.alarms.list({ standing: true });
    gw.runtime.gateway.alarms.ack(alarm?.id as string, 'seen in SCADA', { source: 'http', user: 'op' });
    const acked = await host.waitFor((m) => of('DDATA')(m) && 'level/_alarm/high/acked' in alarmMetrics(m), {
      since,
      timeoutMs: 20_000,
    });
    expect(alarmMetrics(acked)).toEqual({ 'level/_alarm/high/active': true, 'level/_alarm/high/acked': true });
  });
});
