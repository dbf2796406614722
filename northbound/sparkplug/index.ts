import type { NorthManifest } from '../../core/plugin.js';
import { SparkplugNorthApp } from './app.js';
import { type SparkplugSettings, SparkplugSettingsSchema } from './settings.js';

export const sparkplugPlugin: NorthManifest = {
  name: 'sparkplug-b',
  title: 'Sparkplug B',
  settingsSchema: SparkplugSettingsSchema,
  // Settings were validated (defaults filled) against settingsSchema before any app is created.
  create: (ctx) => new SparkplugNorthApp(ctx, ctx.app.settings as SparkplugSettings),
};
