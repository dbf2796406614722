import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../../core/config/schema.js';
import { restoreSecrets } from '../../../core/config/secrets.js';
import { validateConfig } from '../../../core/config/validate.js';
import { testDeviceConnection, testNorthConnection } from '../../../core/connection-test.js';
import { GatewayError } from '../../../core/errors.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { sendError, sendGatewayError } from '../errors.js';
import { DEVICE_PARAM, pathParams, routeDocs } from '../route-docs.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name for an item not named yet: the test needs one, the user need not give it. */
const UNNAMED = 'connection-test';

/**
 * Validates one device or north app (as the forms send it, secrets as placeholders) inside
 * the current gateway section, exactly as saving would, without saving. Error paths are
 * relative to the item (`settings.host: …`).
 */
function checkItem(runtime: Runtime, kind: 'devices' | 'north', body: unknown): Config {
  if (!isObject(body)) throw new GatewayError('invalid-config', 'the request body must be a JSON object');
  const item: Record<string, unknown> = {
    ...body,
    name: typeof body.name === 'string' && body.name.trim() ? body.name : UNNAMED,
  };
  if (kind === 'north') item.devices = [];
  const current = runtime.config;
  const doc = {
    gateway: current.gateway,
    devices: kind === 'devices' ? [item] : [],
    north: kind === 'north' ? [item] : [],
  };
  const restored = restoreSecrets(doc, current, runtime.registry);
  const result = validateConfig(restored, runtime.registry);
  if (!result.ok) {
    const prefix = `${kind}[0].`;
    const details = result.errors.map((e) => (e.startsWith(prefix) ? e.slice(prefix.length) : e));
    throw new GatewayError('invalid-config', 'the settings are invalid', details);
  }
  return result.config;
}

/**
 * "Test connection" for the device and north-app forms (settings need not be saved), and
 * "Retry now" for a device backing off after a failed connection.
 */
export function registerConnectionTests(app: FastifyInstance, runtime: Runtime): void {
  app.post(
    '/api/v1/devices/test-connection',
    {
      schema: routeDocs(
        'Tools',
        'Test connection (admin): connect with these device settings, read one tag (or the driver’s probe address), close',
      ),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      try {
        const device = checkItem(runtime, 'devices', req.body).devices[0];
        const manifest = device && runtime.registry.drivers.get(device.driver);
        if (!device || !manifest) return sendError(reply, 400, 'invalid-config', 'no such driver');
        return await testDeviceConnection(device, manifest, {
          log: req.log.child({ device: device.name, test: 'connection' }) as unknown as Logger,
          dataDir: runtime.dataDir,
          explain: runtime.registry.explain,
        });
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  app.post(
    '/api/v1/north/test-connection',
    {
      schema: routeDocs(
        'Tools',
        'Test connection (admin): connect to the broker with these settings, wait for CONNACK',
      ),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin'])) return reply;
      try {
        const config = checkItem(runtime, 'north', req.body);
        const northApp = config.north[0];
        const manifest = northApp && runtime.registry.north.get(northApp.plugin);
        if (!northApp || !manifest) return sendError(reply, 400, 'invalid-config', 'no such plugin');
        return await testNorthConnection(
          manifest,
          {
            app: northApp,
            settings: northApp.settings,
            gateway: config.gateway,
            dataDir: runtime.dataDir,
            log: req.log.child({ north: northApp.name, test: 'connection' }) as unknown as Logger,
          },
          runtime.registry.explain,
        );
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );

  app.post<{ Params: { device: string } }>(
    '/api/v1/devices/:device/retry',
    {
      schema: routeDocs('Operations', 'Retry now: a device waiting to reconnect connects at once (operator or admin)', {
        params: pathParams(DEVICE_PARAM),
      }),
    },
    async (req, reply) => {
      if (!allow(req, reply, ['admin', 'operator'])) return reply;
      try {
        runtime.gateway.device(req.params.device).retryNow();
        return { ok: true };
      } catch (err) {
        return sendGatewayError(reply, err);
      }
    },
  );
}
