/** Everything one bench run measured, as written to bench/results/<timestamp>.json. */

import type { Launch } from './lib/service-launch.js';
import type { MicroResult } from './micro/time-it.js';
import type { BenchOptions } from './options.js';
import type { ComputeResult } from './scenarios/compute.js';
import type { IdleResult } from './scenarios/idle.js';
import type { ModbusLimit, MqttLimit } from './scenarios/limits.js';
import type { LoadResult } from './scenarios/load-run.js';
import type { ModelsResult } from './scenarios/models.js';
import type { RtuResult } from './scenarios/rtu.js';
import type { S7Result } from './scenarios/s7.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  broker: string;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  durationSeconds?: number;
  options: BenchOptions;
  /** Node options and environment the gateway processes started with (systemd/tagwire.service's). */
  launch?: Launch;
  machine: MachineInfo;
  limits: { modbus: ModbusLimit[]; mqtt: MqttLimit[]; mqttAtEnd: MqttLimit[] };
  throughput: LoadResult[];
  latency: LoadResult[];
  memory?: LoadResult;
  /** Gateways at rest: empty, and 100k tags with nothing answering. */
  idle?: IdleResult[];
  rtu?: RtuResult;
  /** 300 devices built from one model: start-up, RSS, configuration size. */
  models?: ModelsResult;
  s7?: S7Result;
  /** Computed tags: CPU per 1M evaluations and added latency (issue 16). */
  compute?: ComputeResult;
  /** The hot path's pieces measured one by one (ns per value or message). */
  micro: MicroResult[];
  targets: Target[];
  /** Scenarios that failed or were left out, and why. */
  notes: string[];
}
