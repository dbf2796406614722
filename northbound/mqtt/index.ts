import { defineNorth, type NorthManifest, PLUGIN_API_VERSION } from '../../core/plugin.js';
import { checkBrokerSettings, probeBroker } from '../mqtt-session/probe.js';
import { MqttNorthApp } from './app.js';
import { MqttSettingsSchema } from './settings.js';

export const mqttPlugin: NorthManifest = defineNorth({
  kind: 'north',
  apiVersion: PLUGIN_API_VERSION,
  name: 'mqtt',
  title: 'MQTT (UNS JSON)',
  settingsSchema: MqttSettingsSchema,
  checkSettings: checkBrokerSettings,
  probe: (ctx) => probeBroker(ctx),
  create: (ctx) => new MqttNorthApp(ctx, ctx.settings),
});
