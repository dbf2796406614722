import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { GatewayError } from '../../core/errors.js';
import { exitOnFatalErrors } from '../../core/fatal-errors.js';
import { ensureAdmin } from '../../core/first-start.js';
import { collectStartupGarbage, tuneHeap } from '../../core/heap-tuning.js';
import { createLogger } from '../../core/log.js';
import { resolveDataDir } from '../../core/paths.js';
import { Runtime } from '../../core/runtime.js';
import { recordConfig } from '../../core/store/config-history.js';
import { hasConfig, loadConfig, saveConfig } from '../../core/store/config-store.js';
import { openDb } from '../../core/store/db.js';
import { getMeta, setMeta } from '../../core/store/meta.js';
import { MIN_PASSWORD_LENGTH } from '../../core/store/users.js';
import { notifySystemd } from '../../core/systemd-notify.js';
import { VERSION } from '../../core/version.js';
import { routeNodeOpcuaLogs } from '../../drivers/opcua/logging.js';
import { build } from '../../web/server/app.js';
import { tlsMaterial } from '../../web/server/https.js';
import { parseListen } from '../../web/server/metrics-listener.js';
import { builtinRegistry } from '../builtin-plugins.js';
import { DEMO_HOST, DEMO_PORTS, demoConfig } from '../demo.js';
import { chooseDemoPorts, guardDemoPorts } from '../demo-ports.js';
import { demoPlcService, embeddedBrokerService } from '../services.js';
import { loadConfigFile } from './config-io.js';

export interface StartOptions {
  data?: string;
  config?: string;
  httpPort?: string;
  demo?: boolean;
}

const SHUTDOWN_LIMIT_MS = 5000;

function httpPort(flag: string | undefined, config: Config): number {
  const text = flag ?? process.env.TAGWIRE_HTTP_PORT;
  if (text === undefined) return config.gateway.http.port;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new GatewayError('invalid-config', `HTTP port must be 0..65535, not "${text}"`);
  }
  return port;
}

/** Holds SIGINT/SIGTERM until the gateway is up, then runs the shutdown once. */
class Stopper {
  private shutdown: ((signal: string) => Promise<void>) | undefined;
  private requested: string | undefined;

  constructor() {
    const on = (signal: string) => {
      if (this.shutdown) void this.shutdown(signal);
      else this.requested ??= signal;
    };
    process.on('SIGINT', () => on('SIGINT'));
    process.on('SIGTERM', () => on('SIGTERM'));
  }

  ready(shutdown: (signal: string) => Promise<void>): void {
    this.shutdown = shutdown;
    if (this.requested) void shutdown(this.requested);
  }
}

/** `tagwire start`: runs the gateway until SIGINT/SIGTERM. */
export async function startCommand(opts: StartOptions): Promise<void> {
  // Signals are taken from the first moment: one that arrives during start-up stops the
  // gateway cleanly as soon as there is something to stop.
  const stopper = new Stopper();
  tuneHeap();
  const log = createLogger();
  exitOnFatalErrors(log);
  routeNodeOpcuaLogs(log);
  const dataDir = resolveDataDir(opts.data);
  const registry = builtinRegistry();
  // A bad --config or metrics address is refused before anything is touched.
  const fileConfig = opts.config ? loadConfigFile(opts.config) : undefined;
  if (process.env.TAGWIRE_METRICS_LISTEN) parseListen(process.env.TAGWIRE_METRICS_LISTEN);
  const adminPassword = process.env.TAGWIRE_ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < MIN_PASSWORD_LENGTH) {
    throw new GatewayError(
      'invalid-config',
      `TAGWIRE_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
  const db = openDb(dataDir);
  await ensureAdmin(db, dataDir, log, adminPassword);

  const demoAllowed = opts.demo !== false && !opts.config;
  if (fileConfig) {
    saveConfig(db, fileConfig);
    recordConfig(db, fileConfig, `start --config ${opts.config}`);
    setMeta(db, 'demo', undefined);
    log.info(`configuration replaced from ${opts.config}`);
  } else if (!hasConfig(db)) {
    const ports = demoAllowed ? await chooseDemoPorts(log) : undefined;
    const seed = validateConfig(ports ? demoConfig(ports) : {}, registry);
    if (!seed.ok) throw new Error(`built-in configuration is invalid: ${seed.errors.join('; ')}`);
    saveConfig(db, seed.config);
    recordConfig(db, seed.config, demoAllowed ? 'first start (demo)' : 'first start');
    if (demoAllowed) {
      setMeta(db, 'demo', 'seeded');
      setMeta(db, 'demo-simulator-port', String(ports?.simulator ?? DEMO_PORTS.simulator));
      log.info(
        'first start: demo seeded (simulated PLC, embedded broker, MQTT north app); start with --no-demo to skip',
      );
    }
  }
  const stored = validateConfig(loadConfig(db), registry);
  if (!stored.ok) {
    throw new GatewayError('invalid-config', 'the stored configuration is no longer valid', stored.errors);
  }
  let config = stored.config;
  const port = httpPort(opts.httpPort, config);

  const demoRunning = demoAllowed && getMeta(db, 'demo') === 'seeded';
  const demoPort = Number(getMeta(db, 'demo-simulator-port') ?? DEMO_PORTS.simulator);
  const pollsDemoPlc = (c: Config) =>
    c.devices.some((d) => d.enabled && d.settings.host === DEMO_HOST && d.settings.port === demoPort);
  if (demoRunning) {
    const guard = await guardDemoPorts(config, pollsDemoPlc(config) ? demoPort : undefined);
    if (guard.reasons.length > 0) {
      config = guard.config;
      saveConfig(db, config);
      recordConfig(db, config, `demo: ${guard.reasons.join('; ')}`);
      for (const reason of guard.reasons) log.error(`demo: ${reason}; enable it again once the port is free`);
    }
  }

  const runtime = new Runtime({
    db,
    dataDir,
    registry,
    log,
    version: VERSION,
    services: [
      // The demo PLC runs only while a device still polls it: a real configuration never gets a fake PLC.
      ...(demoRunning && pollsDemoPlc(config) ? [demoPlcService(demoPort, log)] : []),
      embeddedBrokerService(log),
    ],
  });
  // A missing certificate is refused before anything starts.
  const tls = await tlsMaterial(config.gateway.http, dataDir, log);
  log.info({ dataDir, version: VERSION }, 'tagwire starting');
  await runtime.start(config);

  const app: FastifyInstance = await build({
    runtime,
    db,
    log,
    version: VERSION,
    https: tls,
    trustProxy: config.gateway.http.trustProxy,
  });
  try {
    await app.listen({ host: config.gateway.http.host, port });
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    const host = config.gateway.http.host === '0.0.0.0' ? 'localhost' : config.gateway.http.host;
    log.info(`web UI and API on ${tls ? 'https' : 'http'}://${host}:${bound}`);
  } catch (err) {
    // Without its UI and API the gateway cannot be managed: stop with the reason, non-zero,
    // so that systemd (or the person at the terminal) sees it instead of a silent half-start.
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `HTTP port ${port} on ${config.gateway.http.host} is already in use; stop what uses it or start with --http-port N`
        : `HTTP cannot listen on ${config.gateway.http.host}:${port}: ${(err as Error).message}`;
    log.fatal(`${reason}; stopping`);
    await app.close().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    db.close();
    log.flush();
    process.exit(1);
  }

  collectStartupGarbage();
  // Ready only now: devices and north apps started, HTTP listening.
  const systemd = notifySystemd(log, `tagwire ${VERSION} running`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    systemd.stop();
    log.info(`${signal}: shutting down`);
    const force = setTimeout(() => {
      log.error('shutdown took longer than 5 s; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    try {
      await app.close();
      await runtime.stop();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'error during shutdown');
    }
    db.close();
    log.info('stopped');
    log.flush();
    process.exit(0);
  };
  stopper.ready(shutdown);
}
