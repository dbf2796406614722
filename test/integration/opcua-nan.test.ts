/**
 * NaN and ±Infinity from an OPC UA server, end to end: simulator → gateway → mosquitto →
 * subscriber. JSON has no such numbers; the tag must be bad `not-a-number`, never a good string.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSimulator } from '../../simulators/opcua-server.js';
import { freePort, type Mosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { field, MqttCollector, type Received } from '../helpers/mqtt-collector.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const SLOW_MS = 60_000;

let dir: string;
let sim: OpcuaSimulator;
let broker: Mosquitto;
let gw: TestGateway;
let sub: MqttCollector;

const tags = [
  { name: 'nan', address: 'ns=1;s=Demo.Static.DoubleNaN' },
  { name: 'float', address: 'ns=1;s=Demo.Static.Float' },
  { name: 'double', address: 'ns=1;s=Demo.Static.Double' },
  { name: 'asText', address: 'ns=1;s=Demo.Static.DoubleNaN', type: 'string' },
  { name: 'sp', address: 'ns=1;s=Demo.Setpoint' },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tagwire-opcua-nan-'));
  sim = new OpcuaSimulator({ port: await freePort(), pkiDir: join(dir, 'server-pki') });
  const { endpointUrl } = await sim.start();
  broker = await startMosquitto();
  sub = await MqttCollector.connect(broker.url, 'nan/#');
  gw = await startTestGateway({
    gateway: { id: 'nan', uns: 'nan' },
    devices: ['subscribe', 'poll'].map((mode) => ({
      name: mode,
      driver: 'opcua',
      settings: { endpointUrl, mode, timeoutMs: 3000 },
      groups: [{ name: 'g', intervalMs: 200, tags }],
    })),
    north: [{ name: 'broker', plugin: 'mqtt', settings: { url: broker.url, qos: 1, retain: false } }],
  });
}, SLOW_MS);

afterAll(async () => {
  await gw?.close();
  await sub?.close();
  await broker?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
}, SLOW_MS);

const notANumber = (m: Received) =>
  m.text === JSON.stringify({ value: null, timestamp: field(m, 'timestamp'), quality: 'bad', error: 'not-a-number' });
const good = (m: Received) => field(m, 'quality') === 'good';

describe('OPC UA NaN and Infinity on MQTT', () => {
  for (const mode of ['subscribe', 'poll']) {
    it(
      `${mode}: NaN, Float NaN and ±Infinity publish null, bad, not-a-number; a finite value is good again`,
      async () => {
        const topic = (tag: string) => `nan/${mode}/${tag}`;
        await sub.waitForTopic(topic('sp'), good, { timeoutMs: 15_000 });
        // The Double NaN node, read as it is and coerced to a string: never "NaN" as a good value.
        await sub.waitForTopic(topic('nan'), notANumber, { timeoutMs: 5000 });
        await sub.waitForTopic(topic('asText'), notANumber, { timeoutMs: 5000 });

        const since = sub.mark();
        sim.setValue('ns=1;s=Demo.Static.Float', Number.NaN);
        sim.setValue('ns=1;s=Demo.Static.Double', Number.POSITIVE_INFINITY);
        await sub.waitForTopic(topic('float'), notANumber, { since, timeoutMs: 5000 });
        await sub.waitForTopic(topic('double'), notANumber, { since, timeoutMs: 5000 });
        sim.setValue('ns=1;s=Demo.Static.Double', Number.NEGATIVE_INFINITY);
        sim.setValue('ns=1;s=Demo.Static.Float', 2.5);
        await sub.waitForTopic(topic('float'), (m) => good(m) && field(m, 'value') === 2.5, { since, timeoutMs: 5000 });
        // -Infinity after +Infinity stays bad with the same error: nothing new to publish.
        const mid = sub.mark();
        sim.setValue('ns=1;s=Demo.Static.Double', 7.25);
        const back = await sub.waitForTopic(topic('double'), good, { since: mid, timeoutMs: 5000 });
        expect(back.json).toMatchObject({ value: 7.25, quality: 'good' });

        // Nothing on any topic ever carried a NaN as text or as a good null.
        const wrong = sub.filter((m) => /NaN|Infinity/.test(m.text) || (good(m) && field(m, 'value') === null));
        expect(wrong.map((m) => `${m.topic} ${m.text}`)).toEqual([]);
        sim.setValue('ns=1;s=Demo.Static.Float', 3.5);
      },
      SLOW_MS,
    );
  }
});
