import type { DriverManifest } from '../../core/plugin.js';
import { S7Driver } from './driver.js';
import { checkS7Settings, type S7Settings, S7SettingsSchema } from './settings.js';
import { checkS7Tag } from './tag-check.js';

/** Siemens S7-300/400/1200/1500, LOGO! and S7-200 over S7comm (ISO-on-TCP, port 102). */
export const s7Driver: DriverManifest = {
  name: 's7',
  title: 'Siemens S7',
  settingsSchema: S7SettingsSchema,
  checkSettings: checkS7Settings,
  checkTag: (tag) => checkS7Tag(tag),
  probeAddress: 'M0.0',
  create: (ctx) => new S7Driver(ctx, ctx.device.settings as S7Settings),
};
