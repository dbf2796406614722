/** The hot path's pieces, one by one, in this process (one core, no I/O but the spool's disk). */
import { computePathMicro } from './compute-path.js';
import { decodeMicro } from './decode.js';
import { publishPathMicro } from './publish-path.js';
import { spoolMicro } from './spool.js';
import type { MicroResult } from './time-it.js';

export function runMicro(): MicroResult[] {
  return [...decodeMicro(), ...publishPathMicro(), ...computePathMicro(), ...spoolMicro()];
}
