/**
 * The client's PKI in `${dataDir}/pki` (node-opcua's layout: own/, trusted/certs, rejected/,
 * issuers/): the client certificate is created there on first use, and server certificates
 * are trusted or rejected there.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';

export interface ClientPki {
  manager: OPCUACertificateManager;
  certificateFile: string;
  privateKeyFile: string;
  applicationUri: string;
}

export function pkiDir(dataDir: string): string {
  return join(dataDir, 'pki');
}

export function clientCertificateFile(dataDir: string): string {
  return join(pkiDir(dataDir), 'own', 'certs', 'client_certificate.pem');
}

export function defaultApplicationUri(): string {
  return `urn:tagwire:${hostname()}`;
}

/** Devices of one gateway start together: the first creates the certificate, the others wait for it. */
const creating = new Map<string, Promise<void>>();

async function createClientCertificate(manager: OPCUACertificateManager, file: string): Promise<void> {
  const host = hostname();
  await manager.createSelfSignedCertificate({
    applicationUri: defaultApplicationUri(),
    dns: [host],
    outputFile: file,
    subject: `/CN=tagwire@${host}/O=tagwire`,
    startDate: new Date(),
    validity: 3650,
  });
}

/**
 * The application URI written in the certificate. A server refuses a session whose URI
 * differs from its certificate's, so after a host rename the certificate's URI is kept.
 */
function certificateUri(file: string): string | undefined {
  try {
    const san = new X509Certificate(readFileSync(file)).subjectAltName ?? '';
    return /URI:([^,\s]+)/.exec(san)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Opens the PKI for one connection. A fresh manager per connection re-reads the trusted and
 * rejected folders, so a certificate trusted through the API counts on the next connect
 * (file watchers are off: one connection's lifetime needs no live updates).
 */
export async function openClientPki(dataDir: string, acceptUnknownServerCertificate: boolean): Promise<ClientPki> {
  const rootFolder = pkiDir(dataDir);
  const manager = new OPCUACertificateManager({
    rootFolder,
    name: 'tagwire',
    automaticallyAcceptUnknownCertificate: acceptUnknownServerCertificate,
    disableFileWatchers: true,
  });
  await manager.initialize(); // creates the folders and the private key when missing
  const certificateFile = clientCertificateFile(dataDir);
  if (!existsSync(certificateFile)) {
    let pending = creating.get(rootFolder);
    if (!pending) {
      pending = createClientCertificate(manager, certificateFile).finally(() => creating.delete(rootFolder));
      creating.set(rootFolder, pending);
    }
    await pending;
  }
  return {
    manager,
    certificateFile,
    privateKeyFile: manager.privateKey,
    applicationUri: certificateUri(certificateFile) ?? defaultApplicationUri(),
  };
}
