/**
 * Entry point for `tagwire simulate opcua`: the OPC UA simulator with its demo address space,
 * logging where it listens and which security it offers.
 */
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { OPCUA_SECURITY_POLICIES, OpcuaSimulator, type OpcuaSimulatorUser } from './opcua-server.js';

export const DEFAULT_OPCUA_SIMULATOR_PORT = 4840;
/** As the Modbus simulator: the CLI listens on all interfaces. */
// Loopback unless told otherwise: a simulated PLC accepts writes from anyone who reaches it.
export const DEFAULT_OPCUA_SIMULATOR_HOST = '127.0.0.1';

export interface RunOpcuaSimulatorOptions {
  /** Default DEFAULT_OPCUA_SIMULATOR_PORT (4840). */
  port?: number;
  host?: string;
  /** The server's PKI store; its certificate is created there on first start. */
  pkiDir: string;
  /** Username/password logins offered besides anonymous. */
  users?: OpcuaSimulatorUser[];
  log?: (msg: string) => void;
}

export interface RunningOpcuaSimulator {
  endpointUrl: string;
  close(): Promise<void>;
}

/** Rejects (e.g. port in use) with nothing left running. */
export async function runOpcuaSimulator(opts: RunOpcuaSimulatorOptions): Promise<RunningOpcuaSimulator> {
  const sim = new OpcuaSimulator({
    port: opts.port ?? DEFAULT_OPCUA_SIMULATOR_PORT,
    host: opts.host ?? DEFAULT_OPCUA_SIMULATOR_HOST,
    pkiDir: opts.pkiDir,
    users: opts.users,
  });
  const { endpointUrl } = await sim.start();
  const log = opts.log;
  if (log) {
    log(`OPC UA simulator listening on ${endpointUrl}`);
    log(`security: ${describeSecurity()}; logins: anonymous${opts.users?.length ? ', username/password' : ''}`);
    log(`server certificate in ${opts.pkiDir}/own/certs/certificate.pem, SHA-1 ${sim.certificateThumbprint}`);
  }
  return { endpointUrl, close: () => sim.stop() };
}

function describeSecurity(): string {
  const signed = `${MessageSecurityMode[MessageSecurityMode.Sign]}/${MessageSecurityMode[MessageSecurityMode.SignAndEncrypt]}`;
  return OPCUA_SECURITY_POLICIES.map((p) => (p === SecurityPolicy.None ? 'None' : `${policyName(p)} (${signed})`)).join(
    ', ',
  );
}

/** "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256" → "Basic256Sha256" */
function policyName(uri: string): string {
  return uri.slice(uri.indexOf('#') + 1);
}
