import { type Static, Type } from '@sinclair/typebox';

/** Letters, digits, `_ . -`; never starting with `_` (reserved for the gateway's own topics). */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const LEVEL = '[A-Za-z0-9][A-Za-z0-9_.-]*';
/** One or more name levels joined by `/`. */
export const PATH_PATTERN = `^${LEVEL}(/${LEVEL})*$`;
/** A topic prefix: empty, or levels joined by `/`. */
export const UNS_PATTERN = `^(${LEVEL}(/${LEVEL})*)?$`;

const NAME_HINT = 'letters, digits, "_", "." and "-", starting with a letter or digit';

const Name = (description: string) =>
  Type.String({ pattern: NAME_PATTERN, minLength: 1, maxLength: 128, description, patternHint: NAME_HINT });

export const TAG_TYPES = [
  'bool',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
] as const;
export const BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
/** A device's default longest wait between reconnect attempts (SPEC: values flow again within ≤ 10 s). */
export const DEFAULT_RECONNECT_MAX_MS = 10_000;

export const AGGREGATE_FUNCTIONS = [
  'avg',
  'min',
  'max',
  'sum',
  'count',
  'first',
  'last',
  'delta',
  'twa',
  'stddev',
] as const;

/** A computed tag's windowed aggregate (SPEC §3.4): tumbling windows aligned to wall-clock multiples of windowMs. */
export const AggregateSchema = Type.Object(
  {
    function: Type.Union(
      AGGREGATE_FUNCTIONS.map((f) => Type.Literal(f)),
      { description: 'avg min max sum count first last delta twa stddev' },
    ),
    of: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'The input: a reference {device/tag} or an expression',
    }),
    windowMs: Type.Integer({ minimum: 100, maximum: 86_400_000, description: 'Window length' }),
  },
  { additionalProperties: false },
);

export const TagSchema = Type.Object(
  {
    name: Type.String({
      pattern: PATH_PATTERN,
      maxLength: 256,
      description: 'Tag name; "/" makes sub-levels in the topic tree',
      patternHint: `levels of ${NAME_HINT}, joined by "/"`,
    }),
    // Optional here: each driver says whether its tags need one (a computed tag has an expression instead).
    address: Type.Optional(
      Type.String({ minLength: 1, description: 'Address on the device: hr:100, 40001, coil:3, ns=2;s=Temp …' }),
    ),
    expression: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4000,
        description: 'Computed tags: a formula over {device/tag} references, e.g. {meter1/voltage} * {meter1/current}',
      }),
    ),
    aggregate: Type.Optional(AggregateSchema),
    type: Type.Optional(
      Type.Union(
        TAG_TYPES.map((t) => Type.Literal(t)),
        { description: 'Data type' },
      ),
    ),
    // The longest string a driver can read is the driver's to check (a Modbus read holds 246 bytes).
    length: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535, description: 'Length (type string)' })),
    byteOrder: Type.Optional(
      Type.Union(
        BYTE_ORDERS.map((b) => Type.Literal(b)),
        { description: "Overrides the device's byte order" },
      ),
    ),
    access: Type.Union([Type.Literal('read'), Type.Literal('readwrite'), Type.Literal('write')], {
      default: 'read',
      description: 'read | readwrite | write',
    }),
    scale: Type.Number({ default: 1, description: 'published = raw * scale + offset' }),
    offset: Type.Number({ default: 0, description: 'published = raw * scale + offset' }),
    deadband: Type.Number({
      default: 0,
      minimum: 0,
      description: 'With publish "change": numeric changes smaller than this are not published',
    }),
    unit: Type.Optional(Type.String({ maxLength: 64, description: 'Engineering unit' })),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const GroupSchema = Type.Object(
  {
    name: Name('Group name'),
    intervalMs: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 1000, description: 'Read interval' }),
    publish: Type.Union([Type.Literal('change'), Type.Literal('always')], {
      default: 'change',
      description: 'change: report by exception; always: every read',
    }),
    heartbeatMs: Type.Integer({
      minimum: 0,
      maximum: 86_400_000,
      default: 60_000,
      description: 'With "change": republish an unchanged value at least this often; 0 = never',
    }),
    // Only for drivers that compute values (validation fills in "change" there and refuses it elsewhere).
    trigger: Type.Optional(
      Type.Union([Type.Literal('change'), Type.Literal('interval')], {
        description: 'Computed tags: change = evaluate when an input changes; interval = every intervalMs',
      }),
    ),
    tags: Type.Array(TagSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export const DeviceSchema = Type.Object(
  {
    name: Name('Device name, unique in the gateway'),
    // Any registered driver: validation checks the name against the plugin registry.
    driver: Type.String({ minLength: 1, maxLength: 128, description: 'Protocol driver' }),
    enabled: Type.Boolean({ default: true }),
    uns: Type.Optional(
      Type.String({
        pattern: UNS_PATTERN,
        description: 'Topic path of the device below gateway.uns; default: the device name',
        patternHint: `levels of ${NAME_HINT}, joined by "/"`,
      }),
    ),
    settings: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Driver settings' }),
    // Optional in the type (code may build a device without it); validation fills in the default.
    reconnectMaxMs: Type.Optional(
      Type.Integer({
        minimum: 500,
        maximum: 3_600_000,
        default: DEFAULT_RECONNECT_MAX_MS,
        description:
          'Longest wait between reconnect attempts while the device is down (0.5 s doubling up to this); ' +
          'values flow again at most this long, plus one interval and one timeout, after it is back',
      }),
    ),
    groups: Type.Array(GroupSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export const NorthSchema = Type.Object(
  {
    name: Name('North app name, unique in the gateway'),
    // Any registered north plugin: validation checks the name against the plugin registry.
    plugin: Type.String({ minLength: 1, maxLength: 128, description: 'Northbound plugin' }),
    enabled: Type.Boolean({ default: true }),
    devices: Type.Array(Type.String({ minLength: 1 }), {
      default: ['*'],
      description: 'Device names to publish, or "*" for all',
    }),
    settings: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Plugin settings' }),
  },
  { additionalProperties: false },
);

export const GatewaySchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[a-z0-9_-]+$',
      maxLength: 64,
      default: 'gw1',
      description: 'Gateway id: status topics, Sparkplug edge node id',
      patternHint: 'lower-case letters, digits, "_" and "-"',
    }),
    uns: Type.String({
      pattern: UNS_PATTERN,
      default: '',
      description: 'Topic prefix for everything published ("" allowed)',
      patternHint: `levels of ${NAME_HINT}, joined by "/"`,
    }),
    http: Type.Object(
      {
        host: Type.String({ default: '0.0.0.0', minLength: 1 }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        tls: Type.Optional(
          Type.Object(
            {
              cert: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate file (chain first)' })),
              key: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key file' })),
              selfSigned: Type.Optional(
                Type.Boolean({
                  description: 'Make a self-signed certificate in the data directory (tls/) on first start',
                }),
              ),
            },
            { additionalProperties: false, description: 'Serve the UI and API over HTTPS (applied at start)' },
          ),
        ),
        trustProxy: Type.Boolean({
          default: false,
          description: 'Behind a reverse proxy: trust its X-Forwarded-For/-Proto (client address, HTTPS)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    broker: Type.Object(
      {
        enabled: Type.Boolean({ default: false, description: 'Run the embedded MQTT broker' }),
        host: Type.String({ default: '127.0.0.1', minLength: 1 }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    gateway: GatewaySchema,
    devices: Type.Array(DeviceSchema, { default: [] }),
    north: Type.Array(NorthSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type TagType = (typeof TAG_TYPES)[number];
export type ByteOrder = (typeof BYTE_ORDERS)[number];
export type TagConfig = Static<typeof TagSchema>;
export type AggregateConfig = Static<typeof AggregateSchema>;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];
export type GroupConfig = Static<typeof GroupSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type NorthConfig = Static<typeof NorthSchema>;
export type GatewayConfig = Static<typeof GatewaySchema>;
export type GatewayFileConfig = Static<typeof ConfigSchema>;
/** A validated configuration: defaults filled in, frozen. */
export type Config = Readonly<GatewayFileConfig>;
