import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientCertificateInfo,
  listCertificates,
  newestRejectedThumbprint,
  removeCertificate,
  trustCertificate,
} from '../../../../drivers/opcua/certificates.js';
import { CA_PEM, CA_SHA1, SERVER_PEM, SERVER_SHA1 } from './cert-fixtures.js';

let dataDir: string;
const rejected = () => join(dataDir, 'pki', 'rejected');
const trusted = () => join(dataDir, 'pki', 'trusted', 'certs');

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tagwire-opcua-certs-'));
  mkdirSync(rejected(), { recursive: true });
  mkdirSync(trusted(), { recursive: true });
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('OPC UA certificate store', () => {
  it('is empty before any connection', () => {
    rmSync(join(dataDir, 'pki'), { recursive: true });
    expect(listCertificates(dataDir)).toEqual([]);
    expect(clientCertificateInfo(dataDir)).toBeUndefined();
    expect(trustCertificate(dataDir, SERVER_SHA1)).toBeUndefined();
    expect(removeCertificate(dataDir, SERVER_SHA1)).toBe(false);
  });

  it('lists PEM and DER certificates with thumbprint, names, validity and status', () => {
    writeFileSync(join(rejected(), 'PLC1[1cc9].pem'), SERVER_PEM);
    writeFileSync(join(trusted(), 'ca.der'), new X509Certificate(CA_PEM).raw);
    writeFileSync(join(trusted(), 'notes.txt'), 'not a certificate');
    writeFileSync(join(trusted(), 'broken.pem'), '-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n');
    const list = listCertificates(dataDir);
    expect(list).toEqual([
      {
        thumbprint: SERVER_SHA1,
        subject: 'CN=PLC1, O=ACME',
        issuer: 'CN=Test CA, O=tagwire-test',
        applicationUri: 'urn:acme:plc1',
        validFrom: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        validTo: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        status: 'rejected',
      },
      expect.objectContaining({ thumbprint: CA_SHA1, subject: 'CN=Test CA, O=tagwire-test', status: 'trusted' }),
    ]);
    // Self-signed: no separate issuer.
    expect(list[1]?.issuer).toBeUndefined();
    expect(newestRejectedThumbprint(dataDir)).toBe(SERVER_SHA1);
  });

  it('trusts by thumbprint (any case, with colons), moving the file out of rejected', () => {
    writeFileSync(join(rejected(), 'PLC1.pem'), SERVER_PEM);
    const colons = SERVER_SHA1.toUpperCase().replace(/(..)(?!$)/g, '$1:');
    expect(trustCertificate(dataDir, colons)).toMatchObject({ thumbprint: SERVER_SHA1, status: 'trusted' });
    expect(readdirSync(rejected())).toEqual([]);
    expect(readdirSync(trusted())).toEqual(['PLC1.pem']);
    expect(listCertificates(dataDir)).toEqual([expect.objectContaining({ status: 'trusted' })]);
    // Trusting again is harmless.
    expect(trustCertificate(dataDir, SERVER_SHA1)).toMatchObject({ status: 'trusted' });
  });

  it('a copy in both folders counts as rejected (as node-opcua treats it) until trusted', () => {
    writeFileSync(join(rejected(), 'PLC1.pem'), SERVER_PEM);
    writeFileSync(join(trusted(), 'PLC1.pem'), SERVER_PEM);
    expect(listCertificates(dataDir)).toEqual([expect.objectContaining({ status: 'rejected' })]);
    trustCertificate(dataDir, SERVER_SHA1);
    expect(readdirSync(rejected())).toEqual([]);
    expect(listCertificates(dataDir)).toEqual([expect.objectContaining({ status: 'trusted' })]);
  });

  it('removes from either folder', () => {
    writeFileSync(join(rejected(), 'PLC1.pem'), SERVER_PEM);
    writeFileSync(join(trusted(), 'ca.pem'), CA_PEM);
    expect(removeCertificate(dataDir, CA_SHA1)).toBe(true);
    expect(removeCertificate(dataDir, SERVER_SHA1)).toBe(true);
    expect(listCertificates(dataDir)).toEqual([]);
    expect(removeCertificate(dataDir, SERVER_SHA1)).toBe(false);
  });

  it('describes the client certificate and leaves it out of the server list', () => {
    mkdirSync(join(dataDir, 'pki', 'own', 'certs'), { recursive: true });
    writeFileSync(join(dataDir, 'pki', 'own', 'certs', 'client_certificate.pem'), SERVER_PEM);
    writeFileSync(join(rejected(), 'self.pem'), SERVER_PEM);
    expect(clientCertificateInfo(dataDir)).toMatchObject({
      thumbprint: SERVER_SHA1,
      applicationUri: 'urn:acme:plc1',
      pem: expect.stringContaining('BEGIN CERTIFICATE'),
    });
    expect(listCertificates(dataDir)).toEqual([]);
  });
});
