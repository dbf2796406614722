/**
 * An S7 device end to end: Snap7's S7Server as the PLC, the whole gateway (runtime + HTTP),
 * a real mosquitto. UNS values reach a subscriber, an MQTT `_set` write lands in the PLC's
 * memory, Sparkplug's DBIRTH carries the S7 metrics, and values flow again after the PLC
 * was stopped and started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { MqttCollector } from '../helpers/mqtt-collector.js';
import { type Snap7Server, startSnap7 } from '../helpers/snap7-server.js';
import { metricNamed, SparkplugHost } from '../helpers/sparkplug-host.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let broker: Mosquitto;
let plc: Snap7Server;
let gateway: TestGateway;
let uns: MqttCollector;
let host: SparkplugHost;

const TOPIC = 'acme/s7test/press';

beforeAll(async () => {
  broker = await startMosquitto();
  plc = await startSnap7();
  uns = await MqttCollector.connect(broker.url, `${TOPIC}/#`);
  host = await SparkplugHost.connect(broker.url);
  gateway = await startTestGateway({
    gateway: { id: 'gw-s7', uns: 'acme/s7test' },
    devices: [
      {
        name: 'press',
        driver: 's7',
        // A short reconnect cap keeps the stop/start case quick; the default is 10 s.
        reconnectMaxMs: 2000,
        settings: { host: '127.0.0.1', port: plc.port, timeoutMs: 500 },
        groups: [
          {
            name: 'fast',
            intervalMs: 200,
            publish: 'change',
            tags: [
              { name: 'temperature', address: 'DB1.DBD16', type: 'float32', unit: '°C' },
              { name: 'big', address: 'DB1.DBB20', type: 'int64' },
              { name: 'label', address: 'DB1.DBB44', type: 'string', length: 10 },
              { name: 'flag', address: 'E0.0' },
              { name: 'setpoint', address: 'DB1.DBD60', type: 'float32', access: 'readwrite' },
              { name: 'speed', address: 'MW10', type: 'int16', access: 'readwrite', scale: 0.1 },
            ],
          },
        ],
      },
    ],
    north: [
      { name: 'uns', plugin: 'mqtt', settings: { url: broker.url } },
      { name: 'spb', plugin: 'sparkplug-b', settings: { url: broker.url, groupId: 's7group' } },
    ],
  });
});

afterAll(async () => {
  await gateway?.close();
  await uns?.close();
  await host?.close();
  plc?.close();
  await broker?.stop();
});

describe('S7 device in the gateway', () => {
  it('publishes its values to the UNS with exact 64-bit integers', async () => {
    const temperature = await uns.waitForTopic(`${TOPIC}/temperature`, (m) => m.text.includes('"good"'));
    expect(temperature.json).toMatchObject({ value: 21.5, quality: 'good' });
    const big = await uns.waitForTopic(`${TOPIC}/big`, (m) => m.text.includes('"good"'));
    expect(big.text).toContain('"value":-9007199254740993');
    expect((await uns.waitForTopic(`${TOPIC}/label`)).json).toMatchObject({ value: 'Hello' });
    expect((await uns.waitForTopic(`${TOPIC}/flag`)).json).toMatchObject({ value: true });
  });

  it('writes an MQTT _set into the PLC memory and publishes the value read back', async () => {
    const since = uns.mark();
    await uns.publish(`${TOPIC}/setpoint/_set`, JSON.stringify({ value: 65.5, id: 'w1' }));
    const result = await uns.waitForTopic(`${TOPIC}/setpoint/_set/result`, () => true, { since });
    expect(result.json).toMatchObject({ id: 'w1', ok: true });
    expect(plc.area('DB', 1).readFloatBE(60)).toBe(65.5);
    await uns.waitForTopic(`${TOPIC}/setpoint`, (m) => (m.json as { value?: number }).value === 65.5, { since });

    await uns.publish(`${TOPIC}/speed/_set`, JSON.stringify({ value: 150.6, id: 'w2' }));
    expect((await uns.waitForTopic(`${TOPIC}/speed/_set/result`, () => true, { since })).json).toMatchObject({
      ok: true,
    });
    expect(plc.area('M').readInt16BE(10)).toBe(1506);

    // A bad write is refused before anything reaches the PLC.
    await uns.publish(`${TOPIC}/speed/_set`, JSON.stringify({ value: 5000, id: 'w3' }));
    const refused = await uns.waitForTopic(`${TOPIC}/speed/_set/result`, (m) => m.text.includes('w3'), { since });
    expect(refused.json).toMatchObject({ ok: false });
    expect(plc.area('M').readInt16BE(10)).toBe(1506);
  });

  it('announces the S7 tags in the Sparkplug DBIRTH with their types', async () => {
    const birth = await host.waitFor((m) => m.type === 'DBIRTH' && m.device === 'press', { timeoutMs: 10_000 });
    expect(metricNamed(birth, 'temperature')).toMatchObject({ type: 'Float', value: 21.5 });
    expect(metricNamed(birth, 'big')).toMatchObject({ type: 'Int64', value: -9007199254740993n });
    expect(metricNamed(birth, 'label')).toMatchObject({ type: 'String', value: 'Hello' });
    expect(metricNamed(birth, 'flag')).toMatchObject({ type: 'Boolean', value: true });
  });

  it('reports the PLC lost and reads again within the backoff after it is back', async () => {
    const since = uns.mark();
    plc.stop();
    await uns.waitForTopic(`${TOPIC}/temperature`, (m) => m.text.includes('"bad"'), { since, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 2500)); // let the backoff grow to its cap
    plc.start();
    const backAt = Date.now();
    await uns.waitForTopic(`${TOPIC}/temperature`, (m) => m.text.includes('"good"'), { since, timeoutMs: 8000 });
    // The cap is 2 s; one interval and one timeout on top.
    expect(Date.now() - backAt).toBeLessThan(2000 + 200 + 500 + 1000);
    const status = gateway.runtime.gateway.status().devices.find((d) => d.name === 'press');
    expect(status?.state).toBe('connected');
  });
});
