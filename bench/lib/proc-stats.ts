/** CPU time and memory of a process, from Linux's /proc. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | undefined;

function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcSample {
  /** User + system CPU seconds since the process started. */
  cpuSeconds: number;
  rssMb: number;
  /** Peak resident set size (VmHWM). */
  peakRssMb: number;
}

function statusKb(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** A sample of `pid`, or undefined when the process is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / clockTicks();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { cpuSeconds: cpu, rssMb: statusKb(status, 'VmRSS') / 1024, peakRssMb: statusKb(status, 'VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU seconds used by `pid` between two samples (0 when either is missing). */
export function cpuBetween(a: ProcSample | undefined, b: ProcSample | undefined): number {
  return a && b ? b.cpuSeconds - a.cpuSeconds : 0;
}

export interface MachineSample {
  /** Jiffies per kind, summed over all CPUs (man 5 proc, /proc/stat "cpu" line). */
  busy: number;
  idle: number;
  steal: number;
  softirq: number;
}

export function sampleMachine(): MachineSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const n = (x: number | undefined) => x ?? 0;
  return {
    busy: n(user) + n(nice) + n(system) + n(irq) + n(softirq),
    idle: n(idle) + n(iowait),
    steal: n(steal),
    softirq: n(softirq),
  };
}

/** Cores busy (all processes and the kernel), cores stolen by the hypervisor, between two samples. */
export function machineCores(a: MachineSample, b: MachineSample, seconds: number): Record<string, number> {
  const perSecond = (x: number) => Math.round((x / clockTicks() / seconds) * 100) / 100;
  return {
    busy: perSecond(b.busy - a.busy),
    softirq: perSecond(b.softirq - a.softirq),
    steal: perSecond(b.steal - a.steal),
    idle: perSecond(b.idle - a.idle),
  };
}
