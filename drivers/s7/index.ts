import { type DriverManifest, defineDriver, PLUGIN_API_VERSION } from '../../core/plugin.js';
import { S7Driver } from './driver.js';
import { S7_ERROR_DECLARATIONS } from './errors.js';
import { checkS7Settings, S7SettingsSchema } from './settings.js';
import { checkS7Tag } from './tag-check.js';

/** Siemens S7-300/400/1200/1500, LOGO! and S7-200 over S7comm (ISO-on-TCP, port 102). */
export const s7Driver: DriverManifest = defineDriver({
  kind: 'driver',
  apiVersion: PLUGIN_API_VERSION,
  name: 's7',
  title: 'Siemens S7',
  settingsSchema: S7SettingsSchema,
  checkSettings: checkS7Settings,
  checkTag: (tag) => checkS7Tag(tag),
  capabilities: {
    browse: false,
    decodeLab: false,
    testRead: true,
    serialPorts: false,
    certificates: false,
    writes: true,
    liveGroupChanges: true,
  },
  address: {
    text:
      'Absolute S7 addresses as in TIA Portal / STEP 7: DBn.DBX/DBB/DBW/DBD (bit, byte, word, double word of ' +
      'data block n), M, I (E) and Q (A) with the same size letters; the size letter must fit the type. ' +
      'Data blocks must not be "optimized".',
    typeDefault: 'bool for a bit address; required for every other address',
    examples: [
      { address: 'DB5.DBX12.3', meaning: 'bit 3 of byte 12 of DB5 (bool)' },
      { address: 'DB5.DBW12', meaning: 'word at byte 12 of DB5 (int16, uint16)' },
      { address: 'DB5.DBD12', meaning: 'double word at byte 12 of DB5 (int32, uint32, float32)' },
      { address: 'DB5.DBB20', meaning: 'byte 20 of DB5; also where a string, int64 or float64 starts' },
      { address: 'MW10', meaning: 'merker word 10' },
      { address: 'I0.0', meaning: 'input bit 0.0 (E0.0 in German), read-only' },
      { address: 'QD4', meaning: 'output double word 4 (AD4 in German)' },
    ],
  },
  probeAddress: 'M0.0',
  errors: S7_ERROR_DECLARATIONS,
  metrics: [
    { stat: 'requests', name: 'tagwire_link_requests_total', help: 'Requests sent on the link', type: 'counter' },
    {
      stat: 'timeouts',
      name: 'tagwire_link_timeouts_total',
      help: 'Requests that got no answer in time',
      type: 'counter',
    },
    {
      stat: 'errors',
      name: 'tagwire_link_errors_total',
      help: 'Other failed requests: exception answers, bad responses, socket errors',
      type: 'counter',
    },
    {
      stat: 'busyMs',
      name: 'tagwire_link_busy_seconds_total',
      help: 'Time the link spent on requests',
      type: 'counter',
      scale: 1 / 1000,
    },
    {
      stat: 'utilisation',
      name: 'tagwire_link_utilisation_ratio',
      help: 'Busy time / wall time since the link was opened (0..1)',
      type: 'gauge',
    },
    { stat: 'pduSize', name: 'tagwire_s7_pdu_bytes', help: 'PDU size the S7 PLC granted', type: 'gauge' },
  ],
  create: (ctx) => new S7Driver(ctx, ctx.settings),
});
