/**
 * Peer: one pair of the computed-tags scenario in a process of its own (a fresh one per pair). Its
 * figures are CPU differences of a hundredth of a core; in a process that ran other gateways before
 * they would carry those gateways' garbage and heap.
 */
import { servePeer } from '../lib/peer-host.js';
import { measureComputePair } from '../scenarios/compute.js';

servePeer(
  { pid: process.pid },
  { pair: (timing) => measureComputePair(timing as { warmupMs: number; measureMs: number; fast: boolean }) },
);
