import { type Static, Type } from '@sinclair/typebox';

/** Connection settings shared by the `mqtt` and `sparkplug-b` plugins (SPEC §4). */
export const connectionProperties = {
  url: Type.String({
    pattern: '^(mqtt|mqtts|ws|wss)://.+',
    description: 'Broker URL: mqtt://, mqtts://, ws:// or wss://',
    patternHint: 'a URL starting with mqtt://, mqtts://, ws:// or wss://',
    // The password and key go here: changing it needs them entered again (core/config/secrets.ts).
    'x-ui': { endpoint: true },
  }),
  clientId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, description: 'Default: tagwire-{gateway id}-{app name}' }),
  ),
  username: Type.Optional(Type.String({ description: 'Broker user name' })),
  password: Type.Optional(Type.String({ description: 'Broker password (never logged)', 'x-ui': { secret: true } })),
  protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], {
    default: 4,
    description: '4 = MQTT 3.1.1, 5 = MQTT 5',
  }),
  keepalive: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'Keep-alive in seconds' }),
  startDelayMaxMs: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 0,
    description:
      'Wait a random time up to this before the first connect, so that many gateways restarting together do not all hit the broker at once',
  }),
  tls: Type.Optional(
    Type.Object(
      {
        ca: Type.Optional(Type.String({ description: 'CA certificate: PEM text or a file path' })),
        cert: Type.Optional(Type.String({ description: 'Client certificate: PEM text or a file path' })),
        key: Type.Optional(
          Type.String({ description: 'Client key: PEM text or a file path', 'x-ui': { secret: true } }),
        ),
        rejectUnauthorized: Type.Boolean({ default: true, description: 'Verify the broker certificate' }),
      },
      { additionalProperties: false },
    ),
  ),
  buffer: Type.Object(
    {
      maxMessages: Type.Integer({ minimum: 0, default: 100_000, description: 'Messages kept while offline' }),
      maxBytes: Type.Integer({ minimum: 0, default: 104_857_600, description: 'Bytes kept while offline' }),
      maxAgeSeconds: Type.Integer({ minimum: 0, default: 604_800, description: 'Oldest message kept, seconds' }),
      alwaysToDisk: Type.Boolean({
        default: false,
        description:
          'Write every message to disk before sending it, not only those the broker has not acknowledged within 1 s (survives a gateway crash while connected; one disk write per message)',
      }),
    },
    { additionalProperties: false, default: {}, description: 'Store-and-forward limits' },
  ),
};

const ConnectionSettingsSchema = Type.Object(connectionProperties);

/** What a broker connection needs: the settings every MQTT plugin has. */
export type ConnectionSettings = Static<typeof ConnectionSettingsSchema>;
