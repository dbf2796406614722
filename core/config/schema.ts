import { type Static, type TProperties, type TSchema, Type } from '@sinclair/typebox';

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
  'int8',
  'uint8',
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
/** A device's default longest wait between reconnect attempts (SPEC: values flow again within ≤ 10 s). */
export const DEFAULT_RECONNECT_MAX_MS = 10_000;

export const ALARM_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** One alarm of a tag (SPEC §3.5): exactly one of above, below, equals, when (checked by validate). */
export const AlarmSchema = Type.Object(
  {
    name: Name('Alarm name, unique on its tag; the last level of its topic'),
    above: Type.Optional(Type.Number({ description: 'Active while the value is above this limit' })),
    below: Type.Optional(Type.Number({ description: 'Active while the value is below this limit' })),
    equals: Type.Optional(
      Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 1024 })], {
        description: 'Active while the value equals this (numbers, booleans, strings)',
      }),
    ),
    when: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'Active while this expression (computed-tag syntax, e.g. "{oven/temp} > 80") is true',
      }),
    ),
    deadband: Type.Number({
      default: 0,
      minimum: 0,
      description: 'Hysteresis: above clears at <= limit - deadband, below at >= limit + deadband',
    }),
    delayMs: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 86_400_000,
      description: 'On-delay: the condition must hold this long before the alarm becomes active',
    }),
    severity: Type.Union(
      ALARM_SEVERITIES.map((s) => Type.Literal(s)),
      { default: 'medium', description: 'low | medium | high | critical' },
    ),
    message: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: 'Text of the alarm; may use {value}, {name}, {unit}, {description}',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A tag's fields before the ones drivers add (`length` and before), in file order. */
const TAG_HEAD = {
  name: Type.String({
    pattern: PATH_PATTERN,
    maxLength: 256,
    description: 'Tag name; "/" makes sub-levels in the topic tree',
    patternHint: `levels of ${NAME_HINT}, joined by "/"`,
  }),
  // Optional here: a driver that derives values (computed tags) has none; validation requires it elsewhere.
  address: Type.Optional(
    Type.String({ minLength: 1, description: 'Address on the device, in the form its driver takes' }),
  ),
  type: Type.Optional(
    Type.Union(
      TAG_TYPES.map((t) => Type.Literal(t)),
      { description: 'Data type' },
    ),
  ),
  // The longest string a driver can read is the driver's to check (a Modbus read holds 246 bytes).
  length: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535, description: 'Length (type string)' })),
};

/** A tag's fields after the ones drivers add. */
const TAG_TAIL = {
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
  alarms: Type.Optional(Type.Array(AlarmSchema, { description: 'Alarms on this tag (SPEC §3.5)' })),
};

/** The core's tag fields; a driver may add its own (`DriverManifest.tagFields`). */
export const TAG_FIELDS: readonly string[] = [...Object.keys(TAG_HEAD), ...Object.keys(TAG_TAIL)];

/**
 * A tag with the given driver fields between the core's (`byteOrder` after `length`, as files have it).
 * With `addressHelp` the address is required and described by it; with `false` the tag has no address
 * (a driver that derives values).
 */
export function tagSchemaWith(driverFields: TProperties, addressHelp?: string | false) {
  const { name, address: coreAddress, ...rest } = TAG_HEAD;
  const address: TProperties =
    addressHelp === false
      ? {}
      : addressHelp
        ? { address: Type.String({ minLength: 1, description: addressHelp }) }
        : { address: coreAddress };
  return Type.Object({ name, ...address, ...rest, ...driverFields, ...TAG_TAIL }, { additionalProperties: false });
}

/** A tag with the core's fields only. */
export const TagSchema = Type.Object({ ...TAG_HEAD, ...TAG_TAIL }, { additionalProperties: false });

function groupSchemaWith<T extends TSchema>(tag: T) {
  return Type.Object(
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
      // Only for drivers that derive values (validation fills in "change" there and refuses it elsewhere).
      trigger: Type.Optional(
        Type.Union([Type.Literal('change'), Type.Literal('interval')], {
          description: 'Computed tags: change = evaluate when an input changes; interval = every intervalMs',
        }),
      ),
      tags: Type.Array(tag, { default: [] }),
    },
    { additionalProperties: false },
  );
}

// Any registered driver: validation checks the name against the plugin registry.
const DRIVER = Type.String({ minLength: 1, maxLength: 128, description: 'Protocol driver' });

/** Parameter values of a device built from a model: `${name}` in the model's settings and addresses. */
const PARAMS = Type.Record(Type.String({ pattern: NAME_PATTERN }), Type.String({ maxLength: 1024 }), {
  description: "Values of the model's parameters (strings), used as ${name}",
});

/** A device's fields after `driver`; `entry`: as written in the file, where `uns` may hold `${param}`. */
function deviceFields<G extends TSchema>(group: G, entry: boolean) {
  return {
    enabled: Type.Boolean({ default: true }),
    uns: Type.Optional(
      Type.String({
        // ${param} is allowed in an entry: it is replaced (and the result checked) when a model device is built.
        pattern: entry ? '^([A-Za-z0-9${}][A-Za-z0-9_.${}-]*(/[A-Za-z0-9${}][A-Za-z0-9_.${}-]*)*)?$' : UNS_PATTERN,
        description: 'Topic path of the device below gateway.uns; default: the device name',
        patternHint: `levels of ${NAME_HINT}, joined by "/"`,
      }),
    ),
    model: Type.Optional(Name('Model this device is built from (driver, settings, groups and tags)')),
    params: Type.Optional(PARAMS),
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
    groups: Type.Array(group, { default: [] }),
  };
}

const deviceName = () => Name('Device name, unique in the gateway');

/** A device as the gateway runs it: a device built from a model has the model's parts filled in. */
function deviceSchemaWith<G extends TSchema>(group: G) {
  return Type.Object(
    { name: deviceName(), driver: DRIVER, ...deviceFields(group, false) },
    { additionalProperties: false },
  );
}

/** A device as written in the configuration: one with `model` takes its driver from the model. */
function deviceEntrySchemaWith<G extends TSchema>(group: G) {
  return Type.Object(
    { name: deviceName(), driver: Type.Optional(DRIVER), ...deviceFields(group, true) },
    { additionalProperties: false },
  );
}

/** A model (SPEC §3.6): a device definition many devices are built from. */
function modelSchemaWith<G extends TSchema>(group: G) {
  return Type.Object(
    {
      name: Name('Model name, unique in the gateway'),
      description: Type.Optional(Type.String({ maxLength: 1024 })),
      driver: DRIVER,
      params: Type.Array(Type.String({ pattern: NAME_PATTERN, maxLength: 64 }), {
        default: [],
        description: "Parameter names, used as ${name} in settings, tag addresses and the device's uns",
      }),
      settings: Type.Record(Type.String(), Type.Unknown(), {
        default: {},
        description: "Default driver settings; a device's own settings win",
      }),
      groups: Type.Array(group, { default: [] }),
    },
    { additionalProperties: false },
  );
}

function northSchemaWith() {
  return Type.Object(
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
}

export const GroupSchema = groupSchemaWith(TagSchema);
/** A device as the gateway runs it: a device built from a model has the model's parts filled in. */
export const DeviceSchema = deviceSchemaWith(GroupSchema);
/** A device as written in the configuration: one with `model` takes its driver from the model. */
export const DeviceEntrySchema = deviceEntrySchemaWith(GroupSchema);
export const ModelSchema = modelSchemaWith(GroupSchema);
export const NorthSchema = northSchemaWith();

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

function configSchemaWith<M extends TSchema, D extends TSchema, N extends TSchema>(model: M, device: D, north: N) {
  return Type.Object(
    {
      gateway: GatewaySchema,
      models: Type.Array(model, { default: [] }),
      devices: Type.Array(device, { default: [] }),
      north: Type.Array(north, { default: [] }),
    },
    { additionalProperties: false },
  );
}

/** The configuration with the core's fields only and any driver or plugin name (documentation). */
export const ConfigSchema = configSchemaWith(ModelSchema, DeviceEntrySchema, NorthSchema);

/**
 * The configuration schema of a gateway whose drivers add these tag fields (merged; which
 * driver's device may use which field is checked per device).
 */
export function buildConfigSchema(driverTagFields: TProperties) {
  const group = groupSchemaWith(tagSchemaWith(driverTagFields));
  return configSchemaWith(modelSchemaWith(group), deviceEntrySchemaWith(group), northSchemaWith());
}

export type TagType = (typeof TAG_TYPES)[number];
/** Fields a driver adds to its tags (`DriverManifest.tagFields`); the driver narrows them. */
export type DriverTagFields = { [field: string]: unknown };
export type TagConfig = Static<typeof TagSchema> & DriverTagFields;
export type AlarmConfig = Static<typeof AlarmSchema>;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];
export type GroupConfig = Omit<Static<typeof GroupSchema>, 'tags'> & { tags: TagConfig[] };
export type DeviceConfig = Omit<Static<typeof DeviceSchema>, 'groups'> & { groups: GroupConfig[] };
export type DeviceEntry = Omit<Static<typeof DeviceEntrySchema>, 'groups'> & { groups: GroupConfig[] };
export type ModelConfig = Omit<Static<typeof ModelSchema>, 'groups'> & { groups: GroupConfig[] };
export type NorthConfig = Static<typeof NorthSchema>;
export type GatewayConfig = Static<typeof GatewaySchema>;
export type GatewayFileConfig = Omit<Static<typeof ConfigSchema>, 'devices' | 'models'> & {
  models: ModelConfig[];
  devices: DeviceEntry[];
};
/** A validated configuration: defaults filled in, frozen. */
export type Config = Readonly<GatewayFileConfig>;
