/**
 * The limits tagwire is compared with, measured against the same peers in the same run:
 * a plain modbus-serial client reading the same registers as fast as the simulated device
 * answers, and a plain mqtt.js publisher sending pre-encoded messages to the same broker.
 */
import { type Env, peerScript } from '../env.js';
import { sleep } from '../lib/net.js';
import { Peer } from '../lib/peer.js';
import type { Block, LoopResult } from '../lib/read-loop.js';
import { coresBetween, round, snapshot } from '../lib/watch.js';

export interface ModbusLimit {
  connections: number;
  requestsPerSecond: number;
  registersPerSecond: number;
  errors: number;
  /** Client CPU seconds per million registers: what reading alone costs, before any decoding. */
  clientCpuPerMillionRegisters: number;
  cores: Record<string, number>;
}

export interface MqttLimit {
  qos: 0 | 1;
  /** Messages that reached the subscriber, per second. */
  messagesPerSecond: number;
  /** Messages the broker acknowledged (QoS 1) or that were written (QoS 0), per second. */
  publishedPerSecond: number;
  cores: Record<string, number>;
}

/** 125-register blocks over the first `registers` holding registers, as tagwire's planner cuts them. */
export function blocks(registers: number): Block[] {
  const out: Block[] = [];
  for (let start = 0; start < registers; start += 125) out.push({ start, count: Math.min(125, registers - start) });
  return out;
}

export async function modbusLimits(env: Env, connections: number[], durationMs: number): Promise<ModbusLimit[]> {
  const ports = await env.server.call<number[]>('ensure', Math.max(...connections));
  await env.server.call('layout', { registers: 4000, clocks: [] });
  const { peer } = await Peer.start<unknown>('modbus-client', peerScript('modbus-client'), []);
  try {
    const out: ModbusLimit[] = [];
    for (const n of connections) {
      const a = await snapshot(env, { client: peer.pid });
      const r = await peer.call<LoopResult & { seconds: number }>(
        'run',
        { ports: ports.slice(0, n), blocks: blocks(2000), durationMs },
        durationMs + 30_000,
      );
      const b = await snapshot(env, { client: peer.pid });
      const cores = coresBetween(a, b);
      out.push({
        connections: n,
        requestsPerSecond: round(r.requests / r.seconds),
        registersPerSecond: round(r.registers / r.seconds),
        errors: r.errors,
        clientCpuPerMillionRegisters: round(((cores.client ?? Number.NaN) * r.seconds * 1e6) / r.registers, 2),
        cores,
      });
    }
    return out;
  } finally {
    await peer.stop();
  }
}

export async function mqttLimits(
  env: Env,
  qosList: Array<0 | 1>,
  durationMs: number,
  topics: number,
): Promise<MqttLimit[]> {
  const { peer } = await Peer.start<unknown>('publisher', peerScript('publisher'), [env.broker.url]);
  try {
    const out: MqttLimit[] = [];
    for (const qos of qosList) {
      const prefix = `limit/q${qos}`;
      await env.subscriber.call('watch', prefix);
      await peer.call('start', { prefix, qos, topics, window: 512, retain: true });
      await sleep(1000);
      const p0 = await peer.call<{ acked: number }>('counts');
      const a = await snapshot(env, { publisher: peer.pid });
      await sleep(durationMs);
      const p1 = await peer.call<{ acked: number }>('counts');
      const b = await snapshot(env, { publisher: peer.pid });
      await peer.call('stop');
      await env.subscriber.call('unwatch', prefix);
      const seconds = (b.at - a.at) / 1000;
      out.push({
        qos,
        messagesPerSecond: round((b.subscriber.messages - a.subscriber.messages) / seconds),
        publishedPerSecond: round((p1.acked - p0.acked) / seconds),
        cores: coresBetween(a, b),
      });
    }
    return out;
  } finally {
    await peer.stop();
  }
}
