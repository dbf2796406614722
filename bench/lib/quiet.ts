/**
 * Waits (within a budget shared by the whole run) until the machine is nearly idle, so that a
 * measurement does not start in the middle of someone else's burst; reports what it found.
 */
import { sleep } from './net.js';
import { machineCores, sampleMachine } from './proc-stats.js';

export interface QuietBudget {
  remainingMs: number;
}

/** Busy cores of the machine over `ms`. */
async function busyCores(ms: number): Promise<number> {
  const a = sampleMachine();
  await sleep(ms);
  return machineCores(a, sampleMachine(), ms / 1000).busy ?? 0;
}

/** Resolves with the busy cores last seen: at most `threshold`, or whatever it was when the budget ran out. */
export async function waitForQuiet(budget: QuietBudget, threshold = 0.25, maxMs = 15_000): Promise<number> {
  const until = performance.now() + Math.min(maxMs, Math.max(0, budget.remainingMs));
  let busy = await busyCores(500);
  while (busy > threshold && performance.now() < until) {
    const started = performance.now();
    busy = await busyCores(500);
    budget.remainingMs -= performance.now() - started;
  }
  return busy;
}
