import type { ErrorDeclaration } from '../../core/plugin.js';

/** The OPC UA status codes people meet most, in words. */
const OPCUA_STATUS: Record<string, string> = {
  BadCertificateUntrusted: 'the server’s certificate is not trusted yet: trust it on the Certificates page',
  BadSecurityChecksFailed: 'the server does not trust the gateway’s certificate, or a security check failed',
  BadSecurityPolicyRejected: 'the server does not offer this security policy and mode',
  BadIdentityTokenRejected: 'the server refused the user name and password (or anonymous login)',
  BadUserAccessDenied: 'the user has no right to do this on the server',
  BadNodeIdUnknown: 'the server has no node with this id',
  BadNotReadable: 'the node cannot be read',
  BadNotWritable: 'the node cannot be written',
  BadTypeMismatch: 'the value has the wrong data type for the node',
  BadTimeout: 'the server did not answer in time',
  BadConnectionRejected: 'the server refused the connection',
  BadTooManySessions: 'the server has no room for another session',
  BadCommunicationError: 'the connection to the server failed',
};

export const OPCUA_PREFIX = 'opcua-';
/** The stable code of an OPC UA status, by its name in the spec: `opcua-BadNodeIdUnknown`. */
export function opcuaCode(statusName: string): `opcua-${string}` {
  return `${OPCUA_PREFIX}${statusName}`;
}

export const NODE_ID_UNKNOWN = opcuaCode('BadNodeIdUnknown');
export const SECURITY_POLICY_REJECTED = opcuaCode('BadSecurityPolicyRejected');
/** A device's error while its server's certificate is not trusted yet. */
export const CERTIFICATE_UNTRUSTED = opcuaCode('BadCertificateUntrusted');

/** `opcua-<StatusCodeName>`: the server's status code, named as the OPC UA spec names it. */
export const OPCUA_ERRORS: readonly ErrorDeclaration[] = [
  { code: OPCUA_PREFIX, prefix: true, httpStatus: 502, known: OPCUA_STATUS },
  {
    code: CERTIFICATE_UNTRUSTED,
    httpStatus: 502,
    explanation: OPCUA_STATUS.BadCertificateUntrusted,
    advice: 'The server certificate must be trusted first: an admin does this on the Certificates page.',
  },
];
