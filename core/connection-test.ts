import type { Logger } from 'pino';
import type { DeviceConfig, GroupConfig, TagConfig } from './config/schema.js';
import type { ConnectionTestResult } from './connection-test-result.js';
import { type ErrorCode, errorCode, errorMessage, GatewayError } from './errors.js';
import type { Driver, DriverManifest, NorthManifest, NorthProbeContext } from './plugin.js';

export type { ConnectionTestResult };

const DEFAULT_TIMEOUT_MS = 15_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayError('timeout', `${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** One line about an error code for people (`PluginRegistry.explain`). */
type Explain = (code: string) => string | undefined;

function failure(step: 'connect' | 'read', started: number, err: unknown, explain: Explain): ConnectionTestResult {
  const code = errorCode(err);
  const explanation = explain(code);
  return {
    ok: false,
    step,
    ms: Math.round(performance.now() - started),
    error: { code, message: errorMessage(err), ...(explanation ? { explanation } : {}) },
  };
}

/** The first readable tag of the device, or the driver's own probe address. */
function probeTag(device: DeviceConfig, manifest: DriverManifest): TagConfig | undefined {
  for (const group of device.groups) {
    const tag = group.tags.find((t) => t.access !== 'write');
    if (tag) return tag;
  }
  if (!manifest.probeAddress) return undefined;
  const tag = {
    name: 'connection-test',
    address: manifest.probeAddress,
    access: 'read',
    scale: 1,
    offset: 0,
    deadband: 0,
  };
  const check = manifest.checkTag(tag as TagConfig, device.settings);
  return { ...tag, ...check.defaults } as TagConfig;
}

async function readOne(driver: Driver, tag: TagConfig, explain: Explain): Promise<unknown> {
  const group: GroupConfig = {
    name: 'connection-test',
    intervalMs: 1000,
    publish: 'always',
    heartbeatMs: 0,
    tags: [tag],
  };
  const [value] = await driver.read(group);
  if (!value) throw new GatewayError('internal', 'the driver returned no value');
  if (value.quality === 'bad') {
    const code = value.error ?? 'internal';
    throw new GatewayError(code as ErrorCode, `reading ${tag.address}: ${explain(code) ?? code}`);
  }
  return value.value;
}

/**
 * "Test connection" for a device that need not be saved: connects with its (validated)
 * settings, reads one thing — its first tag, or the driver's probe address — and closes.
 * Runs beside the running devices; nothing is published.
 */
export async function testDeviceConnection(
  device: DeviceConfig,
  manifest: DriverManifest,
  env: { log: Logger; dataDir: string; explain: Explain; timeoutMs?: number },
): Promise<ConnectionTestResult> {
  const started = performance.now();
  if (manifest.capabilities.derivesValues) {
    const why = `${manifest.title} devices have no connection: their values are computed from other tags`;
    return failure('connect', started, new GatewayError('not-supported', why), env.explain);
  }
  const timeoutMs = env.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const driver = manifest.create({
    device,
    settings: device.settings,
    log: env.log,
    dataDir: env.dataDir,
    connectionLost: () => undefined,
  });
  try {
    try {
      await withTimeout(driver.connect(), timeoutMs, 'connecting');
    } catch (err) {
      return failure('connect', started, err, env.explain);
    }
    const tag = probeTag(device, manifest);
    if (!tag) return { ok: true, step: 'done', ms: Math.round(performance.now() - started) };
    try {
      const value = await withTimeout(readOne(driver, tag, env.explain), timeoutMs, `reading ${tag.address}`);
      return { ok: true, step: 'done', ms: Math.round(performance.now() - started), address: tag.address, value };
    } catch (err) {
      return { ...failure('read', started, err, env.explain), address: tag.address };
    }
  } finally {
    await driver.close().catch(() => undefined);
  }
}

/** "Test connection" for a north app: the plugin's probe (MQTT: connect, wait for CONNACK, disconnect). */
export async function testNorthConnection(
  manifest: NorthManifest,
  ctx: NorthProbeContext,
  explain: Explain,
): Promise<ConnectionTestResult> {
  const started = performance.now();
  if (!manifest.probe) {
    return failure(
      'connect',
      started,
      new GatewayError('not-supported', `plugin ${manifest.name} cannot test a connection`),
      explain,
    );
  }
  try {
    await withTimeout(manifest.probe(ctx), DEFAULT_TIMEOUT_MS, 'connecting');
    return { ok: true, step: 'done', ms: Math.round(performance.now() - started) };
  } catch (err) {
    return failure('connect', started, err, explain);
  }
}
