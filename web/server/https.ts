import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../core/config/schema.js';
import { GatewayError } from '../../core/errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Where they came from, for the log. */
  source: string;
}

const SELF_SIGNED_DIR = 'tls';

/**
 * The certificate and key HTTPS serves with: the configured PEM files, or a self-signed pair
 * made once in DATA/tls/ (key 0600). Undefined when the configuration asks for plain HTTP.
 */
export async function tlsMaterial(
  http: GatewayConfig['http'],
  dataDir: string,
  log: Logger,
): Promise<TlsMaterial | undefined> {
  const tls = http.tls;
  if (!tls) return undefined;
  if (tls.selfSigned) return selfSigned(dataDir, log);
  const read = (file: string | undefined, what: string) => {
    try {
      return readFileSync(file as string, 'utf8');
    } catch (err) {
      throw new GatewayError(
        'invalid-config',
        `gateway.http.tls.${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  };
  return { cert: read(tls.cert, 'cert'), key: read(tls.key, 'key'), source: `${tls.cert}` };
}

async function selfSigned(dataDir: string, log: Logger): Promise<TlsMaterial> {
  const dir = join(dataDir, SELF_SIGNED_DIR);
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  if (existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), source: certFile };
  }
  // Loaded only here: the X.509 code comes with the OPC UA stack and is not needed otherwise.
  const { createSelfSignedCertificate, CertificatePurpose } = await import('node-opcua-crypto');
  const keys = (await webcrypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as webcrypto.CryptoKeyPair;
  const host = hostname();
  const { cert } = await createSelfSignedCertificate({
    privateKey: keys.privateKey as unknown as Parameters<typeof createSelfSignedCertificate>[0]['privateKey'],
    subject: `/CN=tagwire ${host}`,
    dns: [host, 'localhost'],
    ip: ['127.0.0.1'],
    validity: 3650,
    purpose: CertificatePurpose.ForApplication,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, key, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, cert);
  log.warn(
    `HTTPS: made a self-signed certificate (${certFile}); browsers warn about it until it is trusted — ` +
      'for a plant, use a certificate from your own CA (gateway.http.tls.cert and key)',
  );
  return { cert, key, source: certFile };
}
