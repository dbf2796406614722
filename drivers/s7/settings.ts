import { type Static, Type } from '@sinclair/typebox';
import { hostProblem } from '../../core/config/host.js';
import { rackSlotTsap } from './protocol.js';

const TSAP_PATTERN = '^(0x)?[0-9A-Fa-f]{1,4}$';
const tsap = (description: string) =>
  Type.Optional(
    Type.String({ pattern: TSAP_PATTERN, description, patternHint: 'a hex number of up to 4 digits, e.g. 0200' }),
  );

/** SPEC §3.3: rack/slot for S7-300/400/1200/1500, or TSAPs for LOGO! and S7-200. */
export const S7SettingsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'Host name or IP address of the PLC' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 102, description: 'ISO-on-TCP port' }),
    rack: Type.Integer({ minimum: 0, maximum: 7, default: 0, description: 'Rack of the CPU (0)' }),
    slot: Type.Integer({
      minimum: 0,
      maximum: 31,
      default: 1,
      description: 'Slot of the CPU: S7-1200/1500 use 1, S7-300 uses 2',
    }),
    localTSAP: tsap('Local TSAP in hex instead of rack/slot (LOGO!, S7-200), e.g. 0100'),
    remoteTSAP: tsap('Remote TSAP in hex instead of rack/slot (LOGO!, S7-200), e.g. 0200'),
    timeoutMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000, description: 'Answer timeout per request' }),
    pduSize: Type.Integer({
      minimum: 240,
      maximum: 960,
      default: 960,
      description: 'PDU size asked for; the PLC grants this or less (S7-300: 240, S7-1500: 960)',
    }),
  },
  { additionalProperties: false },
);

export type S7Settings = Static<typeof S7SettingsSchema>;

/** Cross-field checks: the host, and TSAPs given as a pair. */
export function checkS7Settings(settings: S7Settings): string[] {
  const errors: string[] = [];
  const problem = hostProblem(String(settings.host));
  if (problem) errors.push(`host: ${problem}`);
  const local = settings.localTSAP !== undefined;
  const remote = settings.remoteTSAP !== undefined;
  if (local !== remote) {
    errors.push(`${local ? 'remoteTSAP' : 'localTSAP'}: give both localTSAP and remoteTSAP, or neither (rack/slot)`);
  }
  return errors;
}

/** The TSAPs to connect with: the configured pair, else PG connection to rack/slot. */
export function tsaps(settings: S7Settings): { localTsap: number; remoteTsap: number } {
  if (settings.localTSAP !== undefined && settings.remoteTSAP !== undefined) {
    return { localTsap: parseInt(settings.localTSAP, 16), remoteTsap: parseInt(settings.remoteTSAP, 16) };
  }
  return { localTsap: 0x0100, remoteTsap: rackSlotTsap(settings.rack, settings.slot) };
}
