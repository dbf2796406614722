import { Type } from '@sinclair/typebox';
import type { DriverManifest } from '../../core/plugin.js';
import { systemClock } from './clock.js';
import { checkComputeDevice } from './config-check.js';
import { ComputeDriver } from './driver.js';
import { checkComputeTag } from './tag-check.js';

/** Computed tags and windowed aggregates (SPEC §3.4): a device without a link. */
export const computeDriver: DriverManifest = {
  name: 'compute',
  title: 'Computed tags',
  settingsSchema: Type.Object({}, { additionalProperties: false }),
  derivesValues: true,
  checkTag: (tag) => checkComputeTag(tag),
  checkDevice: checkComputeDevice,
  create: (ctx) => new ComputeDriver(ctx, systemClock),
};
