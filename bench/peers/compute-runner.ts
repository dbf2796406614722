/**
 * Peer: the computed-tags scenario in a process of its own. Its figures are CPU differences of a
 * hundredth of a core; in the harness process they would carry the garbage and heap of every
 * scenario that ran before.
 */
import { servePeer } from '../lib/peer-host.js';
import { runCompute } from '../scenarios/compute.js';

servePeer(
  { pid: process.pid },
  { run: (timing) => runCompute(timing as { warmupMs: number; measureMs: number; pairs?: number }) },
);
