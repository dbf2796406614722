import type { Logger } from 'pino';
import { summarizeChange } from './config/change-summary.js';
import type { Config } from './config/schema.js';
import { validateConfig } from './config/validate.js';
import { GatewayError } from './errors.js';
import { Gateway } from './gateway.js';
import { OneAtATime } from './one-at-a-time.js';
import type { PluginRegistry } from './registry.js';
import { AuditLog } from './store/audit.js';
import { describeEntry, recordConfig } from './store/config-history.js';
import { saveConfig } from './store/config-store.js';
import type { Db } from './store/db.js';

export interface RuntimeOptions {
  db: Db;
  dataDir: string;
  registry: PluginRegistry;
  log: Logger;
  version: string;
  /**
   * What the application runs beside the gateway (embedded broker, demo PLC): started in
   * order before the gateway, told of every stored configuration, stopped after it.
   */
  services?: RuntimeService[];
}

/** A companion of the gateway supplied by the application layer. */
export interface RuntimeService {
  start(config: Config): Promise<void>;
  /** A new configuration was stored; restart what depends on the part that changed. */
  configChanged?(previous: Config, next: Config): Promise<void>;
  stop(): Promise<void>;
}

/** A change made by `updateConfig`: the new document, and a north app it renames (its spool follows). */
export interface ConfigEdit {
  document: unknown;
  renamedNorth?: { from: string; to: string } | undefined;
}

/** Who asked for a change, through what and from where (history and audit trail). */
export interface ChangeOrigin {
  source: string;
  user?: string | undefined;
  address?: string | undefined;
}

/**
 * Everything a running tagwire owns besides HTTP: the gateway and the application's
 * services beside it. Configuration changes go through `applyConfig`, which stores first
 * and then applies the difference.
 */
export class Runtime {
  readonly gateway: Gateway;
  /** Who did what: logins, changes, writes (kept in the database, bounded). */
  readonly audit: AuditLog;
  /** Configuration changes are applied one at a time, in order. */
  private readonly applying = new OneAtATime();

  constructor(private readonly opts: RuntimeOptions) {
    this.audit = new AuditLog(opts.db);
    this.gateway = new Gateway({
      db: opts.db,
      registry: opts.registry,
      log: opts.log,
      dataDir: opts.dataDir,
      version: opts.version,
      audit: (entry) => this.audit.record(entry),
    });
  }

  get dataDir(): string {
    return this.opts.dataDir;
  }

  get registry(): PluginRegistry {
    return this.opts.registry;
  }

  get config(): Config {
    return this.gateway.currentConfig;
  }

  async start(config: Config): Promise<void> {
    for (const service of this.services) await service.start(config);
    await this.gateway.start(config);
  }

  private get services(): RuntimeService[] {
    return this.opts.services ?? [];
  }

  /** Validates, stores and applies a configuration document; throws GatewayError('invalid-config') with every error. */
  applyConfig(
    input: unknown,
    origin: ChangeOrigin = { source: 'api' },
  ): Promise<{ devices: string[]; north: string[] }> {
    return this.applying.run(() => this.applyNow(input, origin));
  }

  /**
   * Like `applyConfig`, but the document is made from the configuration in force when this
   * change's turn comes: two edits of different parts sent at once both take effect, neither
   * undoes the other. `make` may throw to refuse the change; nothing is applied then.
   */
  updateConfig(
    make: (current: Config) => ConfigEdit,
    origin: ChangeOrigin,
  ): Promise<{ devices: string[]; north: string[] }> {
    return this.applying.run(() => {
      const { document, renamedNorth } = make(this.config);
      return this.applyNow(document, origin, renamedNorth);
    });
  }

  private async applyNow(
    input: unknown,
    origin: ChangeOrigin,
    renamedNorth?: { from: string; to: string },
  ): Promise<{ devices: string[]; north: string[] }> {
    const result = validateConfig(input, this.opts.registry);
    if (!result.ok) {
      this.auditChange(origin, false, 'invalid-config');
      throw new GatewayError('invalid-config', 'the configuration is invalid', result.errors);
    }
    const previous = this.config;
    const summary = summarizeChange(previous, result.config);
    this.opts.db.transaction(() => {
      saveConfig(this.opts.db, result.config);
      recordConfig(this.opts.db, result.config, origin.source, origin.user);
    })();
    this.auditChange(origin, true, undefined, describeEntry(origin.source, summary));
    for (const service of this.services) await service.configChanged?.(previous, result.config);
    return this.gateway.apply(result.config, renamedNorth);
  }

  private auditChange(origin: ChangeOrigin, ok: boolean, error?: string, what = origin.source): void {
    const via = origin.source.startsWith('cli') || origin.source.startsWith('start') ? 'cli' : 'http';
    this.audit.record({
      kind: 'config',
      action: `configuration: ${what}`,
      ok,
      user: origin.user,
      source: via,
      address: origin.address,
      error,
    });
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    for (const service of [...this.services].reverse()) await service.stop();
  }
}
