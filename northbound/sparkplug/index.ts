import type { NorthManifest } from '../../core/plugin.js';
import { checkBrokerSettings, probeBroker } from '../mqtt/probe.js';
import { SparkplugNorthApp } from './app.js';
import { type SparkplugSettings, SparkplugSettingsSchema } from './settings.js';

export const sparkplugPlugin: NorthManifest = {
  name: 'sparkplug-b',
  title: 'Sparkplug B',
  settingsSchema: SparkplugSettingsSchema,
  checkSettings: checkBrokerSettings,
  probe: (ctx) => probeBroker(ctx),
  // Settings were validated (defaults filled) against settingsSchema before any app is created.
  create: (ctx) => new SparkplugNorthApp(ctx, ctx.app.settings as SparkplugSettings),
};
