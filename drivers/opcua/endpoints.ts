/**
 * The endpoints (security mode + policy) a server offers, asked over an unsecured channel as
 * OPC UA discovery allows, so that a device configured for one the server lacks can say which
 * to pick instead.
 */
import {
  type EndpointDescription,
  MessageSecurityMode,
  type OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
} from 'node-opcua';
import { withTimeout } from './timeout.js';

/** node-opcua's two messages for "no endpoint with this mode and policy" (found while connecting / creating the session). */
const NO_MATCHING_ENDPOINT = /cannot find (an )?endpoint|end ?point must exist/i;

export function isNoMatchingEndpoint(text: string): boolean {
  return NO_MATCHING_ENDPOINT.test(text);
}

/** `SignAndEncrypt/Basic256Sha256`: the names the device settings use. */
export function endpointName(endpoint: Pick<EndpointDescription, 'securityMode' | 'securityPolicyUri'>): string {
  const mode = MessageSecurityMode[endpoint.securityMode] ?? String(endpoint.securityMode);
  const uri = endpoint.securityPolicyUri ?? '';
  return `${mode}/${uri.slice(uri.lastIndexOf('#') + 1) || uri}`;
}

/** Each mode/policy pair once (a server lists one endpoint per host name), in the server's order. */
export function describeEndpoints(
  endpoints: ReadonlyArray<Pick<EndpointDescription, 'securityMode' | 'securityPolicyUri'>>,
): string[] {
  return [...new Set(endpoints.map(endpointName))];
}

/** The server's endpoints as `mode/policy` names; rejects when it cannot be asked. */
export async function offeredEndpoints(
  endpointUrl: string,
  manager: OPCUACertificateManager,
  timeoutMs: number,
): Promise<string[]> {
  const client = OPCUAClient.create({
    applicationName: 'tagwire',
    clientCertificateManager: manager,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 1000 },
    defaultTransactionTimeout: timeoutMs,
  });
  try {
    await withTimeout(client.connect(endpointUrl), timeoutMs, 'connecting for the endpoint list');
    return describeEndpoints(await withTimeout(client.getEndpoints(), timeoutMs, 'asking for the endpoints'));
  } finally {
    await withTimeout(client.disconnect(), timeoutMs, 'disconnecting').catch(() => undefined);
  }
}
