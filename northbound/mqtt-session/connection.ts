import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { lazyModule } from '../../core/lazy-module.js';
import type { NorthContext } from '../../core/plugin.js';
import type { ConnectionSettings } from './settings.js';

const mqttModule = lazyModule<typeof import('mqtt')>('mqtt');

/** `mqtt.connect`, with mqtt.js loaded at the first connection: a gateway without a north app never loads it. */
export function connectMqtt(url: string, options: IClientOptions): MqttClient {
  const client = mqttModule().connect(url, options);
  // Every message is a packet of its own, sent now: with Nagle's algorithm a publish waits behind
  // an unacknowledged one until the broker's delayed ACK (up to 40 ms). TCP and TLS sockets only.
  client.on('connect', () => {
    const socket = client.stream as Partial<Socket> | undefined;
    socket?.setNoDelay?.(true);
  });
  return client;
}

/**
 * mqtt.js logs every step of every packet through `debug`, which builds an arguments array
 * per call even when disabled — a fifth of what the gateway allocates at 10k messages/s.
 * A function that ignores its arguments allocates nothing. `DEBUG=mqttjs*` still works.
 */
const ignoreMqttLog = (): void => undefined;
const mqttDebugWanted = (): boolean => /mqttjs/.test(process.env.DEBUG ?? '');

/** PEM text as given, or the contents of the file it names. */
function pem(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/**
 * `tagwire-{gateway id}-{app}-{6 hex of the data directory}`: two gateways on one box with the
 * same id (two demos, say) must not take each other's session on a shared broker.
 */
export function defaultClientId(ctx: Pick<NorthContext, 'gateway' | 'app' | 'dataDir'>): string {
  const instance = createHash('sha256').update(resolve(ctx.dataDir)).digest('hex').slice(0, 6);
  return `tagwire-${ctx.gateway.id}-${ctx.app.name}-${instance}`;
}

/** mqtt.js options from the connection settings every MQTT plugin has. */
export function clientOptions(
  ctx: Pick<NorthContext, 'gateway' | 'app' | 'dataDir'>,
  settings: ConnectionSettings,
): IClientOptions {
  const options: IClientOptions = {
    clientId: settings.clientId ?? defaultClientId(ctx),
    protocolVersion: settings.protocolVersion,
    keepalive: settings.keepalive,
    clean: true,
    connectTimeout: 10_000,
    queueQoSZero: false,
    resubscribe: false,
    // A ping every keep-alive, answered or the connection is dropped — instead of re-arming a
    // timer on every PUBACK (two timer objects per message under load).
    reschedulePings: false,
    // mqtt-packet would otherwise build a cache of 65,536 two-byte Buffers (6 MB of heap, for
    // the life of the process) to save a 2-byte allocation per packet length or message id.
    writeCache: false,
  };
  if (!mqttDebugWanted()) options.log = ignoreMqttLog;
  if (settings.username !== undefined) options.username = settings.username;
  if (settings.password !== undefined) options.password = settings.password;
  if (settings.tls) {
    const ca = pem(settings.tls.ca);
    const cert = pem(settings.tls.cert);
    const key = pem(settings.tls.key);
    if (ca) options.ca = ca;
    if (cert) options.cert = cert;
    if (key) options.key = key;
    options.rejectUnauthorized = settings.tls.rejectUnauthorized;
  }
  return options;
}
