import type { GroupConfig, TagConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';
import {
  type BrowseEntry,
  type Driver,
  type DriverContext,
  type DriverManifest,
  defineDriver,
  PLUGIN_API_VERSION,
} from '../../core/plugin.js';
import type { DriverStats } from '../../core/status-payload.js';
import { badValue, type TagValue } from '../../core/values.js';
import { listCertificates, removeCertificate, trustCertificate } from './certificates.js';
import type { OpcuaDriver } from './driver.js';
import { CERTIFICATE_UNTRUSTED, OPCUA_ERRORS } from './errors.js';
import { checkSettings, type OpcuaSettings, OpcuaSettingsSchema } from './settings.js';
import { checkOpcuaTag } from './tag-check.js';

/**
 * Loads node-opcua (about 3 s) on the first connect, not when the gateway starts: checking a
 * configuration or running only Modbus devices never pays for it.
 */
class LazyOpcuaDriver implements Driver {
  private driver: OpcuaDriver | undefined;
  /** Bumped by close(): a connect() waiting for the module must not open a session afterwards. */
  private closes = 0;

  constructor(private readonly ctx: DriverContext<OpcuaSettings>) {}

  private async load(): Promise<OpcuaDriver> {
    if (!this.driver) {
      const { OpcuaDriver } = await import('./driver.js');
      this.driver ??= new OpcuaDriver(this.ctx, this.ctx.settings);
    }
    return this.driver;
  }

  async connect(): Promise<void> {
    const closes = this.closes;
    const driver = await this.load();
    if (closes !== this.closes) throw new GatewayError('disconnected', 'the device was closed while connecting');
    await driver.connect();
  }

  async close(): Promise<void> {
    this.closes++;
    await this.driver?.close();
  }

  async read(group: GroupConfig): Promise<TagValue[]> {
    if (!this.driver) return group.tags.map(() => badValue('disconnected', Date.now()));
    return this.driver.read(group);
  }

  async write(tag: TagConfig, value: unknown): Promise<void> {
    await (await this.load()).write(tag, value);
  }

  stats(): DriverStats {
    return this.driver?.stats() ?? {};
  }

  async browse(nodeId?: string): Promise<BrowseEntry[]> {
    return (await this.load()).browse(nodeId);
  }

  async readOnce(address: string, type?: TagConfig['type']): Promise<TagValue & { dataType?: string }> {
    return (await this.load()).readOnce(address, type);
  }
}

export const opcuaDriver: DriverManifest = defineDriver({
  kind: 'driver',
  apiVersion: PLUGIN_API_VERSION,
  name: 'opcua',
  title: 'OPC UA',
  settingsSchema: OpcuaSettingsSchema,
  capabilities: {
    browse: true,
    decodeLab: false,
    testRead: true,
    serialPorts: false,
    certificates: true,
    writes: true,
    // Each group is a subscription set up at connect: a changed group restarts the device.
    liveGroupChanges: false,
  },
  address: {
    text:
      'A node id: ns=<namespace index>;s=<string id>, ns=<n>;i=<number>, ;g=<GUID> or ;b=<base64>, ' +
      'or nsu=<namespace URI>;s=… Browse the server to pick variables instead of typing them.',
    typeDefault: "the server's data type",
    examples: [
      { address: 'ns=2;s=Line1.Temperature', meaning: 'string id in namespace 2' },
      { address: 'ns=3;i=1001', meaning: 'numeric id in namespace 3' },
      { address: 'i=2258', meaning: 'the server’s current time (namespace 0)' },
    ],
  },
  errors: OPCUA_ERRORS,
  checkSettings,
  checkTag: (tag) => checkOpcuaTag(tag),
  // Server_ServerStatus_State: every OPC UA server has it.
  probeAddress: 'i=2259',
  create: (ctx) => new LazyOpcuaDriver(ctx),
  certificates: {
    untrustedCode: CERTIFICATE_UNTRUSTED,
    list: async (dataDir) => listCertificates(dataDir),
    trust: async (dataDir, thumbprint) => {
      if (!trustCertificate(dataDir, thumbprint)) {
        throw new GatewayError('not-found', `no certificate with thumbprint ${thumbprint}`);
      }
    },
    remove: async (dataDir, thumbprint) => {
      if (!removeCertificate(dataDir, thumbprint)) {
        throw new GatewayError('not-found', `no certificate with thumbprint ${thumbprint}`);
      }
    },
  },
});
