/** Samples of what the processes of a run did: CPU seconds, memory, subscriber counters. */
import type { Env } from '../env.js';
import { type MachineSample, machineCores, type ProcSample, sampleMachine, sampleProc } from './proc-stats.js';

export interface SubscriberCounts {
  messages: number;
  values: number;
  bad: number;
  bytes: number;
}

export interface Snapshot {
  at: number;
  subscriber: SubscriberCounts;
  procs: Record<string, ProcSample | undefined>;
  machine: MachineSample;
}

export async function snapshot(env: Env, extra: Record<string, number> = {}): Promise<Snapshot> {
  const subscriber = await env.subscriber.call<SubscriberCounts>('counts');
  const pids: Record<string, number> = {
    server: env.server.pid,
    broker: env.broker.pid,
    subscriber: env.subscriber.pid,
    ...extra,
  };
  const procs: Record<string, ProcSample | undefined> = {};
  for (const [name, pid] of Object.entries(pids)) procs[name] = sampleProc(pid);
  return { at: performance.now(), subscriber, procs, machine: sampleMachine() };
}

/**
 * CPU cores each process used between two snapshots (1.0 = one core busy all the time), and
 * the machine's: `machine.busy` is everything (kernel included), `machine.steal` the hypervisor's.
 */
export function coresBetween(a: Snapshot, b: Snapshot): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const machine = machineCores(a.machine, b.machine, seconds);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(machine)) out[`machine.${k}`] = v;
  let ours = 0;
  for (const name of Object.keys(b.procs)) {
    const x = a.procs[name];
    const y = b.procs[name];
    out[name] = x && y ? round((y.cpuSeconds - x.cpuSeconds) / seconds, 2) : Number.NaN;
    ours += out[name] || 0;
  }
  // Whatever else ran on the machine meanwhile (other jobs, unattributed kernel work).
  out.others = round(Math.max(0, (machine.busy ?? 0) - ours), 2);
  return out;
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
