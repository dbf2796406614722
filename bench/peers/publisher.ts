/**
 * Peer: the MQTT limit — a plain mqtt.js publisher sending pre-encoded messages (topics and
 * payloads built once) as fast as the broker takes them, with at most `window` unacknowledged,
 * like tagwire's spool pump.
 */
import mqtt from 'mqtt';
import { arg, servePeer } from '../lib/peer-host.js';

interface StartArgs {
  prefix: string;
  qos: 0 | 1;
  topics: number;
  window: number;
  retain: boolean;
}

const url = arg(0, 'broker url');
const client = mqtt.connect(url, { clientId: `bench-pub-${process.pid}`, clean: true, queueQoSZero: false });
client.on('error', (err) => process.stderr.write(`publisher: ${err.message}\n`));
await new Promise<void>((resolve) => client.once('connect', () => resolve()));

/** A typical tagwire value payload, with a fixed value: the broker does not care what it says. */
const PAYLOAD = Buffer.from(`{"value":22.5264416,"timestamp":${Date.now()},"quality":"good"}`);

let running = false;
let scheduled = false;
let inFlight = 0;
let sent = 0;
let acked = 0;
let next = 0;
let topics: string[] = [];
let options: StartArgs = { prefix: '', qos: 1, topics: 0, window: 1, retain: true };

function pump(): void {
  scheduled = false;
  while (running && inFlight < options.window) {
    inFlight++;
    sent++;
    client.publish(
      topics[next++ % topics.length] as string,
      PAYLOAD,
      { qos: options.qos, retain: options.retain },
      (err) => {
        inFlight--;
        if (!err) acked++;
        if (running && !scheduled) {
          scheduled = true;
          setImmediate(pump);
        }
      },
    );
  }
}

async function drain(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

servePeer(
  { pid: process.pid },
  {
    start: (arg) => {
      options = arg as StartArgs;
      topics = Array.from({ length: options.topics }, (_, i) => `${options.prefix}/d${i % 10}/g0/t${i}`);
      running = true;
      sent = 0;
      acked = 0;
      pump();
      return true;
    },
    counts: () => ({ sent, acked }),
    stop: async () => {
      running = false;
      await drain(5000);
      return { sent, acked, unacked: inFlight };
    },
  },
  () => client.endAsync(true),
);
