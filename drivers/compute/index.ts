import { Type } from '@sinclair/typebox';
import { type DriverManifest, defineDriver, PLUGIN_API_VERSION } from '../../core/plugin.js';
import { systemClock } from './clock.js';
import { checkComputeDevice } from './config-check.js';
import { ComputeDriver } from './driver.js';
import { COMPUTE_ERROR_DECLARATIONS } from './errors.js';
import { checkComputeTag } from './tag-check.js';
import { ComputeTagFields } from './tag-fields.js';

/** Computed tags and windowed aggregates (SPEC §3.4): a device without a link. */
export const computeDriver: DriverManifest = defineDriver({
  kind: 'driver',
  apiVersion: PLUGIN_API_VERSION,
  name: 'compute',
  title: 'Computed tags',
  settingsSchema: Type.Object({}, { additionalProperties: false }),
  tagFields: ComputeTagFields,
  capabilities: {
    browse: false,
    decodeLab: false,
    testRead: false,
    serialPorts: false,
    certificates: false,
    writes: false,
    liveGroupChanges: false,
    derivesValues: true,
  },
  address: {
    text:
      'Computed tags have no address: each has an expression over {device/tag} references ' +
      '(e.g. {meter1/voltage} * {meter1/current} / 1000) or an aggregate (function, of, windowMs) ' +
      'of one input over tumbling windows.',
    typeDefault: 'float64 for a number result; JSON booleans for comparisons, and/or/not and bit()',
    examples: [],
  },
  errors: COMPUTE_ERROR_DECLARATIONS,
  checkTag: (tag) => checkComputeTag(tag),
  checkDevice: checkComputeDevice,
  create: (ctx) => new ComputeDriver(ctx, systemClock),
});
