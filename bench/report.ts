/** The tables of a bench run, as text for the terminal and as Markdown for the README. */
import type { Cell } from './lib/table.js';
import { modbusLimitFor, modbusRatio, mqttLimitFor, mqttRatio, sustained } from './ratios.js';
import type { BenchResults } from './results.js';
import type { LoadResult } from './scenarios/load-run.js';

export interface Section {
  title: string;
  headers: string[];
  rows: Cell[][];
}

const pct = (x: number): Cell => (Number.isFinite(x) ? `${Math.round(100 * x)} %` : '–');
const ms = (x: number): Cell => (Number.isFinite(x) ? Math.round(x * 10) / 10 : Number.NaN);

function limitSections(r: BenchResults): Section[] {
  return [
    {
      title: 'Limit: plain modbus-serial client, 125-register reads, one request in flight per connection',
      headers: [
        'connections',
        'requests/s',
        'registers/s',
        'client cores',
        'client CPU-s/1M registers',
        'server cores',
      ],
      rows: r.limits.modbus.map((l) => [
        l.connections,
        l.requestsPerSecond,
        l.registersPerSecond,
        l.cores.client ?? Number.NaN,
        l.clientCpuPerMillionRegisters,
        l.cores.server ?? Number.NaN,
      ]),
    },
    {
      title: 'Limit: plain mqtt.js publisher, pre-encoded messages, 512 in flight, retained (start / end of run)',
      headers: ['QoS', 'msgs/s at subscriber', 'at end of run', 'broker cores', 'others cores'],
      rows: r.limits.mqtt.map((l) => [
        l.qos,
        l.messagesPerSecond,
        r.limits.mqttAtEnd.find((e) => e.qos === l.qos)?.messagesPerSecond ?? Number.NaN,
        l.cores.broker ?? Number.NaN,
        l.cores.others ?? Number.NaN,
      ]),
    },
  ];
}

function throughputSection(r: BenchResults): Section {
  return {
    title: 'Throughput (publish: always; values = tag values; cores: 1.0 = one core busy)',
    headers: [
      'run',
      'tags',
      'devices',
      'offered/s',
      'read/s',
      'at subscriber/s',
      'msgs/s',
      'gw cores',
      'CPU-s/100k',
      'peak RSS MB',
      'Modbus vs limit',
      'MQTT vs limit',
      'p99 ms',
      'loop p99 ms',
      'others cores',
    ],
    rows: r.throughput.map((t) => [
      t.spec.id,
      t.tags,
      t.spec.devices,
      t.offeredPerSecond,
      t.readPerSecond,
      t.publishedPerSecond,
      t.messagesPerSecond,
      t.cores.gateway ?? Number.NaN,
      t.cpuPer100k,
      t.rss.peakMb,
      pct(modbusRatio(r, t)),
      pct(mqttRatio(r, t)),
      ms(t.latency.fromClock.p99),
      t.eventLoop?.p99Ms ?? Number.NaN,
      t.cores.others ?? Number.NaN,
    ]),
  };
}

function latencyRow(t: LoadResult): Cell[] {
  return [
    t.spec.id,
    t.offeredPerSecond,
    t.publishedPerSecond,
    sustained(t) ? 'yes' : 'no',
    ms(t.latency.fromClock.p50),
    ms(t.latency.fromClock.p99),
    ms(t.latency.fromClock.max),
    ms(t.latency.fromTimestamp.p50),
    ms(t.latency.fromTimestamp.p99),
    t.eventLoop?.p99Ms ?? Number.NaN,
    t.latency.fromClock.samples,
  ];
}

function latencySection(r: BenchResults): Section {
  const runs = [...(r.memory ? [r.memory] : []), ...r.latency];
  return {
    title:
      'Latency: device answer → subscriber (clock in the registers); gateway read → subscriber (payload timestamp)',
    headers: [
      'run',
      'offered/s',
      'at subscriber/s',
      'sustained',
      'p50 ms',
      'p99 ms',
      'max ms',
      'read→sub p50',
      'read→sub p99',
      'loop p99 ms',
      'samples',
    ],
    rows: runs.map(latencyRow),
  };
}

function memorySection(m: LoadResult): Section {
  return {
    title: `Memory: ${m.tags} tags at ${m.offeredPerSecond} values/s for ${m.seconds} s (RSS of the gateway process)`,
    headers: ['after start MB', 'at window start MB', 'at end MB', 'peak MB', 'RSS every 5 s (MB)'],
    rows: [[m.rss.afterStartMb, m.rss.atWindowStartMb, m.rss.endMb, m.rss.peakMb, m.rss.series.join(' ')]],
  };
}

function idleSection(r: BenchResults): Section {
  return {
    title: 'Memory at rest: RSS of the gateway process while it settles after start',
    headers: ['run', 'tags', 'started in ms', 'RSS MB', 'peak MB (start-up)', 'RSS every 1 s (MB)'],
    rows: (r.idle ?? []).map((i): Cell[] => [i.id, i.tags, i.startupMs, i.rssMb, i.peakRssMb, i.series.join(' ')]),
  };
}

function rtuSections(r: BenchResults): Section[] {
  const rtu = r.rtu;
  if (!rtu) return [];
  return [
    {
      title: `RTU on a socat pty pair (${rtu.baudRate} baud set; a pty does not pace bytes), 125-register reads`,
      headers: ['who', 'requests/s', 'registers/s', 'vs plain client', 'note'],
      rows: [
        [
          'plain modbus-serial client',
          rtu.plainClient.requestsPerSecond,
          rtu.plainClient.registersPerSecond,
          '100 %',
          'back to back',
        ],
        [
          'tagwire (one unit)',
          rtu.tagwire.requestsPerSecond,
          rtu.tagwire.registersPerSecond,
          pct(rtu.tagwire.requestsPerSecond / rtu.plainClient.requestsPerSecond),
          `keeps 1.75 ms silence; line use ${pct(rtu.tagwire.utilisation)}`,
        ],
        ['real line, 115200 8N1', rtu.lineLimit['115200'] ?? Number.NaN, Number.NaN, '', 'computed'],
        ['real line, 19200 8N1', rtu.lineLimit['19200'] ?? Number.NaN, Number.NaN, '', 'computed'],
      ],
    },
    {
      title: `RTU fairness: 3 units on one line, unit 2 silent, each due ${rtu.fairness.duePerSecond} reads/s`,
      headers: ['unit', 'reads/s', 'of due', 'state'],
      rows: [
        ...rtu.fairness.live.map((l): Cell[] => [l.device, l.readsPerSecond, pct(l.ofDue), 'connected']),
        [rtu.fairness.dead.device, rtu.fairness.dead.readsPerSecond, '', `${rtu.fairness.dead.state} (silent)`],
      ],
    },
  ];
}

function modelsSection(m: NonNullable<BenchResults['models']>): Section {
  const kb = (b: number) => Math.round(b / 1024);
  return {
    title: `Models: ${m.devices} devices from one model, ${m.tags.toLocaleString('en-US')} tags, unit ids 1–247 on 2 ports`,
    headers: ['measure', 'value', 'what'],
    rows: [
      ['start-up, ms', m.startupMs, 'process start until the HTTP API answers'],
      ['all reading, ms', m.allReadingMs, 'process start until every device has read once'],
      ['RSS after start, MB', m.rssMb.afterStart, ''],
      ['RSS all reading, MB', m.rssMb.allReading, ''],
      ['RSS 10 s later, MB', m.rssMb.after10s, ''],
      [
        'config in SQLite, KiB',
        kb(m.configDbBytes.compact),
        `written out per device: ${kb(m.configDbBytes.expanded)} KiB`,
      ],
      [
        'config as JSON, KiB',
        kb(m.configJsonBytes.compact),
        `written out per device: ${kb(m.configJsonBytes.expanded)} KiB`,
      ],
    ],
  };
}

function s7Sections(r: BenchResults): Section[] {
  const s7 = r.s7;
  if (!s7) return [];
  return [
    {
      title: `S7: ${s7.tags} float32 tags in one DB, PDU ${s7.pduSize}, against the simulated S7 CPU`,
      headers: ['who', 'values/s', 'reads/s', 'vs plain client', 'note'],
      rows: [
        [
          'Snap7 client (native)',
          s7.plainClient.valuesPerSecond,
          s7.plainClient.readsPerSecond,
          '100 %',
          'back to back',
        ],
        [
          'tagwire s7 driver',
          s7.tagwire.valuesPerSecond,
          s7.tagwire.readsPerSecond,
          pct(s7.tagwire.valuesPerSecond / s7.plainClient.valuesPerSecond),
          `${s7.tagwire.requestsPerRead} requests per read; overruns ${s7.tagwire.overruns}`,
        ],
      ],
    },
  ];
}

function microSection(r: BenchResults): Section {
  return {
    title: 'Hot path piece by piece (harness process, one core, batches as in the product)',
    headers: ['piece', 'ns per value/message', 'what'],
    rows: r.micro.map((m) => [m.name, m.nsPerItem, m.note]),
  };
}

function computeSection(r: BenchResults): Section[] {
  const c = r.compute;
  if (!c) return [];
  return [
    {
      title: `Computed tags: ${c.tags.toLocaleString('en-US')} tags on as many inputs, ${c.inputChangesPerSecond.toLocaleString('en-US')} input changes/s (own process)`,
      headers: [
        'evaluations/s',
        'CPU-s per 1M evaluations (median pair)',
        'every pair',
        'at 100k evaluations/s',
        'cores without / with',
        'added p50 ms',
        'added p99 ms',
        'added max ms',
      ],
      rows: [
        [
          c.evaluationsPerSecond,
          c.cpuSecondsPer1M,
          (c.cpuSecondsPer1MRuns ?? []).join(' / '),
          c.cpuSecondsPer1MAt100k ?? '–',
          `${c.baselineCores} / ${c.withComputeCores}`,
          c.addedLatencyMs.p50,
          c.addedLatencyMs.p99,
          c.addedLatencyMs.max,
        ],
      ],
    },
  ];
}

function targetSection(r: BenchResults): Section {
  return {
    title: 'Targets (issues 9 and 19, 16 and 17 for compute and alarms)',
    headers: ['target', 'goal', 'measured', 'met'],
    rows: r.targets.map((t) => [t.name, t.goal, t.measured, t.met === null ? '–' : t.met ? 'yes' : 'no']),
  };
}

export function sections(r: BenchResults): Section[] {
  const out = [...limitSections(r)];
  if (r.throughput.length) out.push(throughputSection(r));
  if (r.memory || r.latency.length) out.push(latencySection(r));
  if (r.memory) out.push(memorySection(r.memory));
  if (r.idle?.length) out.push(idleSection(r));
  out.push(...rtuSections(r));
  if (r.models) out.push(modelsSection(r.models));
  out.push(...s7Sections(r));
  out.push(...computeSection(r));
  if (r.micro.length) out.push(microSection(r));
  out.push(targetSection(r));
  return out;
}

export function limitsLine(r: BenchResults): string {
  const mb = modbusLimitFor(r, 1);
  return `limits: Modbus ${mb.toLocaleString('en-US')} registers/s (1 connection), MQTT ${mqttLimitFor(r, 1).toLocaleString('en-US')} msgs/s (QoS 1), ${mqttLimitFor(r, 0).toLocaleString('en-US')} msgs/s (QoS 0)`;
}
