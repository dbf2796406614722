/**
 * `OpcuaSimulator`: a node-opcua server with the simulator's address space, used by
 * `tagwire simulate opcua`, the OPC UA driver tests and the benchmark.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  coerceNodeId,
  MessageSecurityMode,
  NodeClass,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  type UAVariable,
} from 'node-opcua';
import { buildAddressSpace, SIMULATOR_NAMESPACE_URI } from './opcua-address-space.js';
import { type Animation, startAnimation } from './opcua-animation.js';
import { type SimpleValue, toVariant } from './opcua-values.js';

export interface OpcuaSimulatorUser {
  username: string;
  password: string;
}

export interface OpcuaSimulatorOptions {
  port: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** PKI store of the server: its certificate is created in `own/` on first start and reused. */
  pkiDir: string;
  users?: OpcuaSimulatorUser[];
  /** Default true. */
  allowAnonymous?: boolean;
  /** Adds Double variables `ns=1;s=Bulk.V0` … `Bulk.V{n-1}` under Objects/Bulk. Default 0. */
  extraVariables?: number;
  /** How often every Bulk variable changes; 0 = only on `tickBulk()`. Default 100 ms. */
  bulkIntervalMs?: number;
  /** Security modes offered; default all three. A narrower set shows how clients meet a stricter server. */
  securityModes?: MessageSecurityMode[];
  /** Security policies offered; default `OPCUA_SECURITY_POLICIES`. */
  securityPolicies?: SecurityPolicy[];
}

export const OPCUA_SECURITY_POLICIES = [
  SecurityPolicy.None,
  SecurityPolicy.Basic256Sha256,
  SecurityPolicy.Aes128_Sha256_RsaOaep,
  SecurityPolicy.Aes256_Sha256_RsaPss,
];
export const OPCUA_SECURITY_MODES = [
  MessageSecurityMode.None,
  MessageSecurityMode.Sign,
  MessageSecurityMode.SignAndEncrypt,
];

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export class OpcuaSimulator {
  private server: OPCUAServer | undefined;
  private animation: Animation | undefined;
  private readonly host: string;
  private thumbprint = '';

  constructor(private readonly opts: OpcuaSimulatorOptions) {
    this.host = opts.host ?? '127.0.0.1';
  }

  /** `opc.tcp://HOST:PORT`; 127.0.0.1 when listening on all interfaces. */
  get endpointUrl(): string {
    const host = WILDCARD_HOSTS.has(this.host) ? '127.0.0.1' : this.host;
    return `opc.tcp://${host.includes(':') ? `[${host}]` : host}:${this.opts.port}`;
  }

  /** Hex SHA-1 of the server certificate (DER), known after the first start. */
  get certificateThumbprint(): string {
    return this.thumbprint;
  }

  /** Sessions the server holds now (created, activated or not yet); 0 while stopped. */
  get sessionCount(): number {
    return this.server?.currentSessionCount ?? 0;
  }

  async start(): Promise<{ endpointUrl: string }> {
    if (this.server) throw new Error('OPC UA simulator already started');
    const server = this.createServer();
    try {
      await server.initialize();
      const addressSpace = server.engine.addressSpace;
      if (!addressSpace) throw new Error('node-opcua server has no address space after initialize()');
      const nodes = buildAddressSpace(addressSpace, this.opts.extraVariables ?? 0);
      await server.start();
      this.thumbprint = createHash('sha1').update(server.getCertificate()).digest('hex');
      this.animation = startAnimation({ ...nodes, bulkIntervalMs: this.opts.bulkIntervalMs ?? 100 });
      this.server = server;
    } catch (err) {
      await server.shutdown(0).catch(() => undefined);
      throw err;
    }
    return { endpointUrl: this.endpointUrl };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.animation?.stop();
    this.animation = undefined;
    // No grace period: sessions and channels drop at once, as on a PLC power cycle.
    if (server) await server.shutdown(0);
  }

  /** A server restart as a client sees it: same port and certificate, new sessions needed, initial values. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Sets a scalar variable's value (with a source timestamp of now); throws for unknown nodes or values. */
  setValue(nodeId: string, value: SimpleValue): void {
    const variable = this.variable(nodeId);
    if (variable.valueRank !== -1) throw new Error(`${nodeId} is an array; setValue takes scalars`);
    variable.setValueFromSource(toVariant(variable.getBasicDataType(), value), undefined, new Date());
  }

  /** Deletes the node: reads then answer BadNodeIdUnknown, monitored items get a Bad status. */
  removeNode(nodeId: string): void {
    const variable = this.variable(nodeId);
    this.animation?.forget(variable);
    this.running().engine.addressSpace?.deleteNode(variable);
  }

  /** Gives every Bulk variable a new value now (for `bulkIntervalMs: 0`). */
  tickBulk(): void {
    this.animation?.tickBulk();
  }

  private createServer(): OPCUAServer {
    const { pkiDir, port } = this.opts;
    const users = this.opts.users ?? [];
    const wildcard = WILDCARD_HOSTS.has(this.host);
    return new OPCUAServer({
      port,
      host: this.host || undefined,
      // Endpoint URLs carry this host name; on all interfaces loopback URLs are offered too.
      hostname: wildcard ? undefined : this.host,
      alternateHostname: wildcard ? ['localhost', '127.0.0.1'] : undefined,
      securityPolicies: this.opts.securityPolicies ?? OPCUA_SECURITY_POLICIES,
      securityModes: this.opts.securityModes ?? OPCUA_SECURITY_MODES,
      allowAnonymous: this.opts.allowAnonymous ?? true,
      userManager: {
        isValidUser: (username: string, password: string) =>
          users.some((u) => u.username === username && u.password === password),
      },
      // Namespace 1 gets the application URI, so this also names the simulator's namespace.
      serverInfo: {
        applicationUri: SIMULATOR_NAMESPACE_URI,
        productUri: SIMULATOR_NAMESPACE_URI,
        applicationName: { text: 'tagwire OPC UA simulator', locale: 'en' },
      },
      buildInfo: { productName: 'tagwire OPC UA simulator', manufacturerName: 'tagwire' },
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: pkiDir,
        // Client certificates are accepted unseen, so tests need not trust the gateway's.
        automaticallyAcceptUnknownCertificate: true,
        // Watchers keep handles open and are not needed when everything is accepted.
        disableFileWatchers: true,
      }),
      // Otherwise node-opcua puts this store in ~/.config/node-opcua-default.
      userCertificateManager: new OPCUACertificateManager({
        rootFolder: join(pkiDir, 'user'),
        disableFileWatchers: true,
      }),
      // Room for the gateway's groups (one subscription each) and for leak tests.
      serverCapabilities: { maxSessions: 50, maxSubscriptionsPerSession: 100 },
      isAuditing: false,
    });
  }

  private running(): OPCUAServer {
    if (!this.server) throw new Error('OPC UA simulator is not running');
    return this.server;
  }

  private variable(nodeId: string): UAVariable {
    const node = this.running().engine.addressSpace?.findNode(coerceNodeId(nodeId));
    if (!node) throw new Error(`no node ${nodeId}`);
    if (node.nodeClass !== NodeClass.Variable) throw new Error(`${nodeId} is not a variable`);
    return node as UAVariable;
  }
}
