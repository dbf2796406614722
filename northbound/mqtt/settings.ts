import { type Static, Type } from '@sinclair/typebox';
import { connectionProperties } from '../mqtt-session/settings.js';

export const MqttSettingsSchema = Type.Object(
  {
    ...connectionProperties,
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { default: 1 }),
    retain: Type.Boolean({ default: true, description: 'Publish values retained' }),
    format: Type.Union([Type.Literal('uns'), Type.Literal('group')], {
      default: 'uns',
      description: 'uns: a message per tag; group: a message per group read',
    }),
  },
  { additionalProperties: false },
);

export type MqttSettings = Static<typeof MqttSettingsSchema>;
