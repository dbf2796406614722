import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../core/errors.js';
import { describeEndpoints } from '../../../../drivers/opcua/endpoints.js';
import { connectError, isSecurityMismatch } from '../../../../drivers/opcua/session.js';
import type { OpcuaSettings } from '../../../../drivers/opcua/settings.js';
import { withTimeout } from '../../../../drivers/opcua/timeout.js';
import { SERVER_PEM, SERVER_SHA1 } from './cert-fixtures.js';

const settings: OpcuaSettings = {
  endpointUrl: 'opc.tcp://plc1:4840',
  securityMode: 'SignAndEncrypt',
  securityPolicy: 'Basic256Sha256',
  mode: 'subscribe',
  trustServerCertificate: false,
  timeoutMs: 5000,
  samplingIntervalMs: -1,
  queueSize: 1,
};
const dataDir = mkdtempSync(join(tmpdir(), 'tagwire-opcua-session-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('connect errors', () => {
  it('an untrusted server certificate names its thumbprint and what to do', () => {
    mkdirSync(join(dataDir, 'pki', 'rejected'), { recursive: true });
    writeFileSync(join(dataDir, 'pki', 'rejected', 'plc1.pem'), SERVER_PEM);
    const err = connectError(
      new Error('server Certificate verification failed with err BadCertificateUntrusted (0x801a0000)'),
      settings,
      dataDir,
    );
    expect(err.code).toBe('opcua-BadCertificateUntrusted');
    expect(err.message).toContain(SERVER_SHA1);
    expect(err.message).toMatch(/trust it .* UI or API, or set trustServerCertificate: true/);
  });

  it('maps other failures to stable codes', () => {
    const code = (message: string) => connectError(new Error(message), settings, dataDir).code;
    expect(code('connect ECONNREFUSED 127.0.0.1:4840')).toBe('connection-refused');
    // node-opcua's messages: while connecting (secured) and while creating the session (None).
    for (const text of [
      'Cannot find an Endpoint matching  security mode: 3 policy: http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256',
      ' End point must exist opc.tcp://plc1:4840  securityMode = None  securityPolicy = http://opcfoundation.org/UA/SecurityPolicy#None',
      'cannot find endpoint for securityMode=SignAndEncrypt policy = http://…#Basic256Sha256',
    ]) {
      expect(code(text), text).toBe('opcua-BadSecurityPolicyRejected');
    }
    expect(code('ActivateSession failed: BadUserAccessDenied (0x801f0000)')).toBe('opcua-BadUserAccessDenied');
    expect(code('Transaction has timed out')).toBe('timeout');
    expect(code('getaddrinfo ENOTFOUND plc1')).toBe('disconnected');
    const own = new GatewayError('timeout', 'connecting took longer than 10000 ms');
    expect(connectError(own, settings, dataDir)).toBe(own);
  });

  it('a security mismatch names the configured pair and what the server offers', () => {
    const mismatch = new Error('Cannot find an Endpoint matching  security mode: 3 policy: http://…#Basic256Sha256');
    const offered = ['None/None', 'Sign/Basic256Sha256'];
    expect(connectError(mismatch, settings, dataDir, offered).message).toBe(
      'opc.tcp://plc1:4840 offers no endpoint with securityMode SignAndEncrypt and securityPolicy Basic256Sha256; ' +
        'the server offers (securityMode/securityPolicy): None/None, Sign/Basic256Sha256',
    );
    expect(connectError(mismatch, settings, dataDir, new Error('timed out')).message).toMatch(
      /endpoint list could not be read \(timed out\)$/,
    );
    const refused = new Error('The connection has been rejected by server: BadSecurityPolicyRejected (0x80550000)');
    expect(connectError(refused, settings, dataDir, offered)).toMatchObject({
      code: 'opcua-BadSecurityPolicyRejected',
      message: expect.stringContaining('offers (securityMode/securityPolicy): None/None, Sign/Basic256Sha256'),
    });
    expect(isSecurityMismatch(refused)).toBe(true);
    expect(isSecurityMismatch(new Error('BadUserAccessDenied'))).toBe(false);
    expect(
      describeEndpoints([
        { securityMode: MessageSecurityMode.None, securityPolicyUri: SecurityPolicy.None },
        { securityMode: MessageSecurityMode.Sign, securityPolicyUri: SecurityPolicy.Basic256Sha256 },
        { securityMode: MessageSecurityMode.Sign, securityPolicyUri: SecurityPolicy.Basic256Sha256 },
      ]),
    ).toEqual(['None/None', 'Sign/Basic256Sha256']);
  });

  it('withTimeout rejects with a timeout GatewayError, and passes results through', async () => {
    await expect(withTimeout(Promise.resolve(7), 100, 'x')).resolves.toBe(7);
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, 'waiting')).rejects.toMatchObject({
      code: 'timeout',
      message: 'waiting took longer than 20 ms',
    });
  });
});
