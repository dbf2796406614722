/**
 * One connection to an OPC UA server: certificate store, client, session. node-opcua's own
 * reconnection is switched off (maxRetry 0); a lost channel or a failed keep-alive is reported
 * once through `onLost` and the core reconnects with its capped backoff, always closing the old
 * connection first, so a server never sees two sessions from one device.
 */

import {
  AttributeIds,
  type ClientSession,
  DataType,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  type UserIdentityInfo,
  UserTokenType,
  VariableIds,
} from 'node-opcua';
import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { newestRejectedThumbprint } from './certificates.js';
import { isNoMatchingEndpoint, offeredEndpoints } from './endpoints.js';
import { CERTIFICATE_UNTRUSTED, opcuaCode, SECURITY_POLICY_REJECTED } from './errors.js';
import { type ClientPki, openClientPki } from './pki.js';
import type { OpcuaSettings } from './settings.js';
import { withTimeout } from './timeout.js';

/** Per-request batch size when the server states no limit. */
const DEFAULT_BATCH = 1000;

export interface OperationLimits {
  maxNodesPerRead: number;
  maxNodesPerWrite: number;
  maxNodesPerBrowse: number;
  maxMonitoredItemsPerCall: number;
}

export interface OpenOptions {
  settings: OpcuaSettings;
  dataDir: string;
  deviceName: string;
  log: Logger;
  /** Called at most once, when the established connection breaks. */
  onLost(reason: string): void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Server statuses that a wrong securityMode/securityPolicy causes: the message lists what is offered. */
const SECURITY_REJECTED = new Set(['BadSecurityPolicyRejected', 'BadSecurityModeRejected']);

/** The server's endpoints for an error message, or why they could not be listed. */
function offeredText(offered: string[] | Error | undefined): string {
  if (offered === undefined) return '';
  if (offered instanceof Error) return `; the server's endpoint list could not be read (${offered.message})`;
  if (offered.length === 0) return '; the server lists no endpoints';
  return `; the server offers (securityMode/securityPolicy): ${offered.join(', ')}`;
}

/** True when the error says the configured securityMode/securityPolicy is not offered. */
export function isSecurityMismatch(err: unknown): boolean {
  const text = message(err);
  const status = /\b(Bad[A-Z][A-Za-z]+)\b/.exec(text)?.[1];
  return isNoMatchingEndpoint(text) || (status !== undefined && SECURITY_REJECTED.has(status));
}

/**
 * A connect/session error → a GatewayError with a stable code and a message a user can act on.
 * `offered`: the server's endpoints (or why they could not be read), named in a security mismatch.
 */
export function connectError(
  err: unknown,
  settings: OpcuaSettings,
  dataDir: string,
  offered?: string[] | Error,
): GatewayError {
  if (err instanceof GatewayError) return err;
  const text = message(err);
  if (isNoMatchingEndpoint(text)) {
    return new GatewayError(
      SECURITY_POLICY_REJECTED,
      `${settings.endpointUrl} offers no endpoint with securityMode ${settings.securityMode} and ` +
        `securityPolicy ${settings.securityPolicy}${offeredText(offered)}`,
    );
  }
  const status = /\b(Bad[A-Z][A-Za-z]+)\b/.exec(text)?.[1];
  if (status === 'BadCertificateUntrusted') {
    const thumbprint = newestRejectedThumbprint(dataDir);
    return new GatewayError(
      CERTIFICATE_UNTRUSTED,
      `the server's certificate${thumbprint ? ` (thumbprint ${thumbprint})` : ''} is not trusted: ` +
        'trust it under OPC UA certificates in the UI or API, or set trustServerCertificate: true',
    );
  }
  if (status) {
    const hint = SECURITY_REJECTED.has(status) ? offeredText(offered) : '';
    return new GatewayError(opcuaCode(status), `${settings.endpointUrl}: ${text}${hint}`);
  }
  if (/ECONNREFUSED/.test(text)) {
    return new GatewayError('connection-refused', `${settings.endpointUrl} refused the connection`);
  }
  if (/timeout|timed out/i.test(text)) return new GatewayError('timeout', `${settings.endpointUrl}: ${text}`);
  return new GatewayError('disconnected', `${settings.endpointUrl}: ${text}`);
}

function identity(settings: OpcuaSettings): UserIdentityInfo {
  if (settings.username !== undefined) {
    return { type: UserTokenType.UserName, userName: settings.username, password: settings.password ?? '' };
  }
  return { type: UserTokenType.Anonymous };
}

export class OpcuaConnection {
  namespaceArray: string[] = [];
  limits: OperationLimits = {
    maxNodesPerRead: DEFAULT_BATCH,
    maxNodesPerWrite: DEFAULT_BATCH,
    maxNodesPerBrowse: DEFAULT_BATCH,
    maxMonitoredItemsPerCall: DEFAULT_BATCH,
  };
  private closed = false;
  private lostReported = false;

  private constructor(
    readonly client: OPCUAClient,
    readonly session: ClientSession,
    private readonly pki: ClientPki,
    private readonly options: OpenOptions,
  ) {}

  get sessionId(): string {
    return this.session.sessionId.toString();
  }

  get isOpen(): boolean {
    return !this.closed && !this.lostReported;
  }

  /** Connects, creates the session and reads what later requests need; cleans up after itself on failure. */
  static async open(options: OpenOptions): Promise<OpcuaConnection> {
    const { settings, dataDir } = options;
    const pki = await openClientPki(dataDir, settings.trustServerCertificate);
    // Keep-alive: a Read every few seconds while nothing else arrives; a failed one breaks the channel.
    const keepAliveInterval = Math.max(1000, Math.min(settings.timeoutMs, 5000));
    const client = OPCUAClient.create({
      applicationName: 'tagwire',
      applicationUri: pki.applicationUri,
      clientName: `tagwire-${options.deviceName}`,
      clientCertificateManager: pki.manager,
      certificateFile: pki.certificateFile,
      privateKeyFile: pki.privateKeyFile,
      securityMode: MessageSecurityMode[settings.securityMode],
      securityPolicy: SecurityPolicy[settings.securityPolicy],
      // The server may advertise its own host name while we dial an IP address.
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 1000 },
      keepSessionAlive: true,
      keepAliveInterval,
      requestedSessionTimeout: Math.max(30_000, 4 * keepAliveInterval),
      defaultTransactionTimeout: settings.timeoutMs,
    });
    let session: ClientSession | undefined;
    try {
      await withTimeout(client.connect(settings.endpointUrl), settings.timeoutMs * 2, 'connecting');
      session = await withTimeout(
        client.createSession(identity(settings)),
        settings.timeoutMs * 2,
        'creating a session',
      );
    } catch (err) {
      await withTimeout(client.disconnect(), settings.timeoutMs, 'disconnecting').catch(() => undefined);
      // A security mode/policy the server lacks: ask it what it has, so the error can say what to pick.
      const offered = isSecurityMismatch(err)
        ? await offeredEndpoints(settings.endpointUrl, pki.manager, settings.timeoutMs).catch((e: unknown) =>
            e instanceof Error ? e : new Error(String(e)),
          )
        : undefined;
      await pki.manager.dispose().catch(() => undefined);
      throw connectError(err, settings, dataDir, offered);
    }
    const connection = new OpcuaConnection(client, session, pki, options);
    connection.watch();
    try {
      await connection.readServerInfo();
    } catch (err) {
      await connection.close();
      throw connectError(err, settings, dataDir);
    }
    return connection;
  }

  private watch(): void {
    const lost = (reason: string) => () => this.reportLost(reason);
    this.client.on('connection_lost', lost('connection lost'));
    this.client.on('close', (err?: Error | null) => {
      if (err) this.reportLost(`connection closed: ${err.message}`);
    });
    this.session.on('session_closed', lost('session closed by the server'));
    this.session.on('keepalive_failure', lost('keep-alive failed'));
  }

  private reportLost(reason: string): void {
    if (this.closed || this.lostReported) return;
    this.lostReported = true;
    this.options.log.warn({ reason }, 'OPC UA connection lost');
    this.options.onLost(reason);
  }

  /** Namespace array (for `nsu=` addresses) and the server's operation limits, in one Read. */
  private async readServerInfo(): Promise<void> {
    const ids = [
      VariableIds.Server_NamespaceArray,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerWrite,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerBrowse,
      VariableIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
    ];
    const results = await this.session.read(ids.map((i) => ({ nodeId: `i=${i}`, attributeId: AttributeIds.Value })));
    const [namespaces, ...limits] = results;
    const array = namespaces?.value?.value;
    this.namespaceArray = Array.isArray(array) ? array.map(String) : [];
    // 0 or a missing node means "no limit"; stay at a batch size that keeps one request reasonable.
    const limit = (i: number): number => {
      const v = limits[i]?.value;
      const n = v && v.dataType !== DataType.Null ? Number(v.value) : 0;
      return n > 0 ? Math.min(n, DEFAULT_BATCH) : DEFAULT_BATCH;
    };
    this.limits = {
      maxNodesPerRead: limit(0),
      maxNodesPerWrite: limit(1),
      maxNodesPerBrowse: limit(2),
      maxMonitoredItemsPerCall: limit(3),
    };
  }

  /**
   * Closes session, channel and certificate store, each step bounded by the timeout so a dead
   * server cannot hang a reconnect. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ms = this.options.settings.timeoutMs;
    // Tried even after a loss: a failed keep-alive may leave the session alive on the server.
    // On a channel that is gone this fails at once, and the server drops the session on its timeout.
    await withTimeout(this.session.close(true), ms, 'closing the session').catch((err) =>
      this.options.log.debug({ err: message(err) }, 'closing the OPC UA session failed'),
    );
    await withTimeout(this.client.disconnect(), ms, 'disconnecting').catch((err) =>
      this.options.log.debug({ err: message(err) }, 'disconnecting the OPC UA client failed'),
    );
    await this.pki.manager.dispose().catch(() => undefined);
  }
}
