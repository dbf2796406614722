import { defineNorth, type NorthManifest, PLUGIN_API_VERSION } from '../../core/plugin.js';
import { checkBrokerSettings, probeBroker } from '../mqtt-session/probe.js';
import { SparkplugNorthApp } from './app.js';
import { SparkplugSettingsSchema } from './settings.js';

export const sparkplugPlugin: NorthManifest = defineNorth({
  kind: 'north',
  apiVersion: PLUGIN_API_VERSION,
  name: 'sparkplug-b',
  title: 'Sparkplug B',
  settingsSchema: SparkplugSettingsSchema,
  checkSettings: checkBrokerSettings,
  probe: (ctx) => probeBroker(ctx),
  create: (ctx) => new SparkplugNorthApp(ctx, ctx.settings),
});
