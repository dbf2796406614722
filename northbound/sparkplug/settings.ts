import { type Static, Type } from '@sinclair/typebox';
import { connectionProperties } from '../mqtt-session/settings.js';

/** Sparkplug ids go into topics: any UTF-8 except the MQTT wildcards and the level separator. */
const SPARKPLUG_ID = '^[^+#/]+$';
const SPARKPLUG_ID_HINT = 'any characters except "+", "#" and "/"';

export const SparkplugSettingsSchema = Type.Object(
  {
    ...connectionProperties,
    groupId: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: SPARKPLUG_ID,
      description: 'Sparkplug group id (the edge node id is gateway.id)',
      patternHint: SPARKPLUG_ID_HINT,
    }),
    primaryHostId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        pattern: SPARKPLUG_ID,
        description: 'Wait for spBv1.0/STATE/{primaryHostId} online before births; spool data while it is offline',
        patternHint: SPARKPLUG_ID_HINT,
      }),
    ),
    dataQos: Type.Union([Type.Literal(0), Type.Literal(1)], {
      default: 1,
      description:
        'QoS of NDATA/DDATA. 1 (default): kept on disk until the broker acknowledges; 0: what Sparkplug 3.0 prescribes',
    }),
  },
  { additionalProperties: false },
);

export type SparkplugSettings = Static<typeof SparkplugSettingsSchema>;
