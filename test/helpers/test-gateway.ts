import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { embeddedBrokerService } from '../../app/services.js';
import type { Config } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { silentLogger } from '../../core/log.js';
import type { PluginRegistry } from '../../core/registry.js';
import { Runtime } from '../../core/runtime.js';
import { recordConfig } from '../../core/store/config-history.js';
import { saveConfig } from '../../core/store/config-store.js';
import { type Db, openDb } from '../../core/store/db.js';
import { type Role, setPassword } from '../../core/store/users.js';
import { build } from '../../web/server/app.js';

export interface TestGateway {
  dir: string;
  db: Db;
  runtime: Runtime;
  app: FastifyInstance;
  config: Config;
  /** `http://127.0.0.1:PORT` when started with `listen`. */
  base: string;
  /** Logs in through the API and returns the bearer header. */
  login(username: string, password: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Users created before the start, as `{ name: [password, role] }`. */
  users?: Record<string, [string, Role]>;
  /** Listen on a free port of 127.0.0.1 (for a browser or fetch), not only `inject()`. */
  listen?: boolean;
  log?: Logger;
  /** Kept as the first history entry, as `tagwire start` does on a first start. */
  recordFirstStart?: boolean;
  version?: string;
  /** The plugins (default: the built-in ones), e.g. with a test plugin added. */
  registry?: PluginRegistry;
  /** Called with the runtime before it starts (e.g. to watch the bus from the first reading). */
  beforeStart?: (runtime: Runtime) => void;
}

/**
 * A device `oven` reading the OPC UA simulator's counter over SignAndEncrypt, without
 * trusting the server's certificate up front (it lands in `rejected` until trusted).
 */
export function secureOven(endpointUrl: string): Record<string, unknown> {
  return {
    name: 'oven',
    driver: 'opcua',
    settings: { endpointUrl, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' },
    groups: [{ name: 'main', intervalMs: 500, tags: [{ name: 'counter', address: 'ns=1;s=Demo.Dynamic.Counter' }] }],
  };
}

/** A device `plc` reading tagwire's simulated Modbus TCP PLC on 127.0.0.1:`port`. */
export function simulatedPlc(port: number, groups: unknown[]): Record<string, unknown> {
  return { name: 'plc', driver: 'modbus-tcp', settings: { host: '127.0.0.1', port }, groups };
}

/**
 * A whole gateway for a test, as `tagwire start` puts it together: a data directory, the
 * store with `configDoc` (validated; a bad one throws with its errors), users, the runtime
 * started and the HTTP app built. `close()` undoes all of it.
 */
export async function startTestGateway(configDoc: unknown, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'tagwire-test-'));
  const db = openDb(dir);
  for (const [name, [password, role]] of Object.entries(opts.users ?? {})) await setPassword(db, name, password, role);
  const registry = opts.registry ?? builtinRegistry();
  const checked = validateConfig(configDoc, registry);
  if (!checked.ok) throw new Error(checked.errors.join('\n'));
  saveConfig(db, checked.config);
  if (opts.recordFirstStart) recordConfig(db, checked.config, 'first start');
  const log = opts.log ?? silentLogger();
  const version = opts.version ?? '0.0.0-test';
  const runtime = new Runtime({
    db,
    dataDir: dir,
    registry,
    log,
    version,
    services: [embeddedBrokerService(log)],
  });
  opts.beforeStart?.(runtime);
  await runtime.start(checked.config);
  const app = await build({ runtime, db, log, version });
  let base = '';
  if (opts.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no listening address');
    base = `http://127.0.0.1:${address.port}`;
  }
  return {
    dir,
    db,
    runtime,
    app,
    config: checked.config,
    base,
    async login(username, password) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login of ${username} failed: ${res.statusCode} ${res.body}`);
      return { authorization: `Bearer ${(res.json() as { token: string }).token}` };
    },
    async close() {
      await app.close();
      await runtime.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
