/** The machine a bench run ran on. */
import { cpus, release, totalmem } from 'node:os';
import type { Broker } from './lib/broker.js';
import type { MachineInfo } from './results.js';

export function machineInfo(broker: Broker): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
    broker: `${broker.kind} ${broker.version}`,
  };
}
