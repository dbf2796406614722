/**
 * Peer: the MQTT subscriber that counts what arrives (messages, tag values, bad values) and
 * measures latency from the clock the simulated device put in the values (device answer →
 * here) and from the payload's `timestamp` (gateway read → here).
 */
import mqtt from 'mqtt';
import { CLOCK_TAG } from '../layout.js';
import { arg, servePeer } from '../lib/peer-host.js';
import { summarize } from '../lib/percentiles.js';
import { preciseNow } from './clocked-model.js';
import { groupCounts, numberAfter } from './payload-scan.js';

const url = arg(0, 'broker url');
const MAX_SAMPLES = 2_000_000;
const TIMESTAMP = Buffer.from('"timestamp":');
const VALUE = Buffer.from('"value":');
const BAD = Buffer.from('"quality":"bad"');
const GROUP_CLOCK = Buffer.from(`/${CLOCK_TAG}":`);
const CLOCK_SUFFIX = `/${CLOCK_TAG}`;

const counts = { messages: 0, values: 0, bad: 0, bytes: 0 };
let fromClock: number[] = [];
let fromTimestamp: number[] = [];

function sample(clock: number, timestamp: number, now: number): void {
  if (fromClock.length >= MAX_SAMPLES) return;
  if (Number.isFinite(clock)) fromClock.push(now - clock);
  if (Number.isFinite(timestamp)) fromTimestamp.push(now - timestamp);
}

function onMessage(topic: string, payload: Buffer, retained: boolean): void {
  // Retained copies replayed on subscribe are old news; status topics are not values.
  if (retained || topic.includes('/_status') || topic.includes('/_gateway/')) return;
  counts.messages++;
  counts.bytes += payload.length;
  if (topic.includes('/_group/')) {
    const { values, errors } = groupCounts(payload);
    counts.values += values;
    counts.bad += errors;
    const clockAt = payload.indexOf(GROUP_CLOCK);
    if (clockAt >= 0) sample(numberAfter(payload, GROUP_CLOCK, clockAt), numberAfter(payload, TIMESTAMP), preciseNow());
    return;
  }
  counts.values++;
  if (payload.includes(BAD)) counts.bad++;
  else if (topic.endsWith(CLOCK_SUFFIX))
    sample(numberAfter(payload, VALUE), numberAfter(payload, TIMESTAMP), preciseNow());
}

const client = mqtt.connect(url, { clientId: `bench-sub-${process.pid}`, clean: true, reconnectPeriod: 1000 });
client.on('message', (topic, payload, packet) => onMessage(topic, payload, packet.retain));
client.on('error', (err) => process.stderr.write(`subscriber: ${err.message}\n`));
await new Promise<void>((resolve) => client.once('connect', () => resolve()));

servePeer(
  { pid: process.pid },
  {
    watch: async (prefix) => {
      await client.subscribeAsync(`${String(prefix)}/#`, { qos: 0 });
      return true;
    },
    unwatch: async (prefix) => {
      await client.unsubscribeAsync(`${String(prefix)}/#`);
      return true;
    },
    counts: () => ({ ...counts }),
    /** Latency since the previous call (ms), then starts a new window. */
    latency: () => {
      const result = { fromClock: summarize(fromClock), fromTimestamp: summarize(fromTimestamp) };
      fromClock = [];
      fromTimestamp = [];
      return result;
    },
  },
  () => client.endAsync(true),
);
