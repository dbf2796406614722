import type { NorthManifest } from '../../core/plugin.js';
import { MqttNorthApp } from './app.js';
import { checkBrokerSettings, probeBroker } from './probe.js';
import { type MqttSettings, MqttSettingsSchema } from './settings.js';

export const mqttPlugin: NorthManifest = {
  name: 'mqtt',
  title: 'MQTT (UNS JSON)',
  settingsSchema: MqttSettingsSchema,
  checkSettings: checkBrokerSettings,
  probe: (ctx) => probeBroker(ctx),
  create: (ctx) => new MqttNorthApp(ctx, ctx.app.settings as MqttSettings),
};
