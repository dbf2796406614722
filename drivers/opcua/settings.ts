import { type Static, Type } from '@sinclair/typebox';

export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const SECURITY_POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;

/** Settings of an `opcua` device (SPEC §3.2). */
export const OpcuaSettingsSchema = Type.Object(
  {
    endpointUrl: Type.String({
      pattern: '^opc\\.tcp://',
      description: 'Server endpoint, e.g. opc.tcp://plc1:4840',
      patternHint: 'an opc.tcp:// URL',
      // The password goes here: changing it needs the password entered again (core/config/secrets.ts).
      'x-ui': { endpoint: true },
    }),
    securityMode: Type.Union(
      SECURITY_MODES.map((m) => Type.Literal(m)),
      { default: 'None', description: 'Message security: None, Sign or SignAndEncrypt' },
    ),
    securityPolicy: Type.Union(
      SECURITY_POLICIES.map((p) => Type.Literal(p)),
      { default: 'None', description: 'Security policy; None exactly when securityMode is None' },
    ),
    username: Type.Optional(Type.String({ minLength: 1, description: 'User name; anonymous login when left out' })),
    password: Type.Optional(
      Type.String({ description: 'Password of username (never logged)', 'x-ui': { secret: true } }),
    ),
    mode: Type.Union([Type.Literal('subscribe'), Type.Literal('poll')], {
      default: 'subscribe',
      description: 'subscribe: one subscription per group (report by exception); poll: one Read per group interval',
    }),
    trustServerCertificate: Type.Boolean({
      default: false,
      description: "Trust the server's certificate without asking; otherwise it must be trusted in the UI or API",
    }),
    timeoutMs: Type.Integer({
      minimum: 100,
      maximum: 600_000,
      default: 5000,
      description: 'Timeout of each request, of connecting, and of the keep-alive check',
    }),
    samplingIntervalMs: Type.Integer({
      minimum: -1,
      maximum: 86_400_000,
      default: -1,
      description: 'subscribe: how often the server samples each item; -1 = the group interval, 0 = as fast as it can',
    }),
    queueSize: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 1,
      description: 'subscribe: values the server queues per item between publishes (the gateway keeps the newest)',
    }),
  },
  { additionalProperties: false },
);

export type OpcuaSettings = Static<typeof OpcuaSettingsSchema>;

/** Cross-field checks of schema-valid settings, as `field: problem` messages. */
export function checkSettings(s: Partial<OpcuaSettings>): string[] {
  const errors: string[] = [];
  const mode = s.securityMode ?? 'None';
  const policy = s.securityPolicy ?? 'None';
  if (mode === 'None' && policy !== 'None') {
    errors.push(
      `securityMode: security policy ${policy} needs securityMode Sign or SignAndEncrypt; or set securityPolicy None`,
    );
  }
  if (mode !== 'None' && policy === 'None') {
    errors.push(`securityPolicy: securityMode ${mode} needs a security policy other than None (e.g. Basic256Sha256)`);
  }
  if (s.username !== undefined && s.password === undefined) errors.push('password: required with username');
  if (s.password !== undefined && s.username === undefined) errors.push('username: required with password');
  return errors;
}
