import { randomBytes } from 'node:crypto';
import { urlHostProblem } from '../../core/config/host.js';
import { GatewayError } from '../../core/errors.js';
import type { NorthProbeContext } from '../../core/plugin.js';
import { clientOptions, connectMqtt, defaultClientId } from './connection.js';
import type { ConnectionSettings } from './settings.js';

/** The broker URL's host must be a host name or IP address (shared by `mqtt` and `sparkplug-b`). */
export function checkBrokerSettings(settings: Pick<ConnectionSettings, 'url'>): string[] {
  const problem = urlHostProblem(settings.url);
  return problem ? [`url: ${problem}`] : [];
}

/** The broker's refusal or the socket's failure, in words, under a stable code. */
function probeError(url: string, err: unknown): GatewayError {
  const e = err as { code?: string | number; message?: string };
  const message = e.message ?? String(err);
  if (e.code === 'ECONNREFUSED') {
    return new GatewayError(
      'connection-refused',
      `${url}: connection refused — no broker listens on that host and port`,
    );
  }
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    return new GatewayError('disconnected', `${url}: host not found — check the name or use an IP address`);
  }
  // CONNACK refusals (bad user name or password, not authorised, …) come with a numeric code.
  if (typeof e.code === 'number')
    return new GatewayError('connection-refused', `${url}: the broker refused: ${message}`);
  return new GatewayError('disconnected', `${url}: ${message}`);
}

/**
 * Connects once, waits for the broker's CONNACK and disconnects. A client id of its own
 * (the configured one with `-test-xxxx`) so that the running app's session is not taken over.
 */
export async function probeBroker(ctx: NorthProbeContext<ConnectionSettings>, timeoutMs = 10_000): Promise<void> {
  const settings = ctx.settings;
  const options = clientOptions(ctx, settings);
  const clientId = `${(settings.clientId ?? defaultClientId(ctx)).slice(0, 100)}-test-${randomBytes(2).toString('hex')}`;
  const client = connectMqtt(settings.url, {
    ...options,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new GatewayError('timeout', `${settings.url}: no answer from the broker within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (err) => {
        clearTimeout(timer);
        reject(probeError(settings.url, err));
      });
      client.once('close', () => {
        clearTimeout(timer);
        reject(
          new GatewayError('disconnected', `${settings.url}: the broker closed the connection before accepting it`),
        );
      });
    });
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}
