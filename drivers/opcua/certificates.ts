/**
 * OPC UA certificate trust for the API: the server certificates node-opcua keeps in
 * `${dataDir}/pki/trusted/certs` and `${dataDir}/pki/rejected` (PEM `.pem`, or DER `.der`
 * placed there by hand), and the gateway's own client certificate. Only node:fs and
 * node:crypto, so the API can use it without loading the OPC UA stack. A trust change
 * counts from a device's next connect.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface CertificateInfo {
  /** Lower-case hex SHA-1 of the DER certificate, as OPC UA tools show it. */
  thumbprint: string;
  subject: string;
  /** Only when it differs from the subject (not self-signed). */
  issuer?: string;
  applicationUri?: string;
  validFrom: string;
  validTo: string;
  status: 'trusted' | 'rejected';
}

export interface ClientCertificateInfo extends Omit<CertificateInfo, 'status'> {
  /** The certificate in PEM, to install in a server's trust list. */
  pem: string;
}

type Store = CertificateInfo['status'];

function folder(dataDir: string, store: Store): string {
  return store === 'trusted' ? join(dataDir, 'pki', 'trusted', 'certs') : join(dataDir, 'pki', 'rejected');
}

const ownCertificateFile = (dataDir: string) => join(dataDir, 'pki', 'own', 'certs', 'client_certificate.pem');

/** "CN=a\nO=b" (Node's multi-line form) → "CN=a, O=b". */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function normalizeThumbprint(thumbprint: string): string {
  return thumbprint.replace(/[:\s]/g, '').toLowerCase();
}

/** A certificate file (PEM, possibly a chain: the first is the leaf; or DER); undefined when unreadable. */
function parse(file: string): X509Certificate | undefined {
  try {
    return new X509Certificate(readFileSync(file));
  } catch {
    return undefined;
  }
}

function describe(cert: X509Certificate): Omit<CertificateInfo, 'status'> {
  const subject = oneLine(cert.subject);
  const issuer = oneLine(cert.issuer);
  const uri = /URI:([^,\s]+)/.exec(cert.subjectAltName ?? '')?.[1];
  return {
    thumbprint: normalizeThumbprint(cert.fingerprint),
    subject,
    ...(issuer !== subject ? { issuer } : {}),
    ...(uri ? { applicationUri: uri } : {}),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
  };
}

interface Entry {
  file: string;
  info: CertificateInfo;
  mtimeMs: number;
}

function entries(dataDir: string, store: Store): Entry[] {
  const dir = folder(dataDir, store);
  if (!existsSync(dir)) return [];
  const out: Entry[] = [];
  for (const name of readdirSync(dir)) {
    if (!/\.(pem|der|crt|cer)$/i.test(name)) continue;
    const file = join(dir, name);
    const cert = parse(file);
    if (cert) out.push({ file, info: { ...describe(cert), status: store }, mtimeMs: statSync(file).mtimeMs });
  }
  return out;
}

function ownThumbprint(dataDir: string): string | undefined {
  const cert = parse(ownCertificateFile(dataDir));
  return cert ? normalizeThumbprint(cert.fingerprint) : undefined;
}

/** Every server certificate the gateway has seen or been told to trust (not its own). */
export function listCertificates(dataDir: string): CertificateInfo[] {
  const own = ownThumbprint(dataDir);
  const all = [...entries(dataDir, 'trusted'), ...entries(dataDir, 'rejected')];
  // In both folders counts as rejected for node-opcua; show it once, as it behaves.
  const byThumbprint = new Map<string, CertificateInfo>();
  for (const { info } of all) {
    if (info.thumbprint === own) continue;
    if (!byThumbprint.has(info.thumbprint) || info.status === 'rejected') byThumbprint.set(info.thumbprint, info);
  }
  return [...byThumbprint.values()].sort((a, b) => a.subject.localeCompare(b.subject));
}

function find(dataDir: string, store: Store, thumbprint: string): Entry[] {
  const wanted = normalizeThumbprint(thumbprint);
  return entries(dataDir, store).filter((e) => e.info.thumbprint === wanted);
}

/** Moves a rejected certificate to the trusted ones; undefined when no such certificate exists. */
export function trustCertificate(dataDir: string, thumbprint: string): CertificateInfo | undefined {
  const rejected = find(dataDir, 'rejected', thumbprint);
  const trusted = find(dataDir, 'trusted', thumbprint);
  const first = rejected[0] ?? trusted[0];
  if (!first) return undefined;
  const dir = folder(dataDir, 'trusted');
  mkdirSync(dir, { recursive: true });
  let inTrusted = trusted.length > 0;
  for (const e of rejected) {
    // A copy left in rejected/ would override the trust, so every copy leaves it.
    if (inTrusted) unlinkSync(e.file);
    else renameSync(e.file, join(dir, basename(e.file)));
    inTrusted = true;
  }
  return { ...first.info, status: 'trusted' };
}

/** Forgets a certificate (trusted or rejected); false when there was none. */
export function removeCertificate(dataDir: string, thumbprint: string): boolean {
  const found = [...find(dataDir, 'trusted', thumbprint), ...find(dataDir, 'rejected', thumbprint)];
  for (const e of found) unlinkSync(e.file);
  return found.length > 0;
}

/** The gateway's own client certificate, or undefined before the first OPC UA connection created it. */
export function clientCertificateInfo(dataDir: string): ClientCertificateInfo | undefined {
  const file = ownCertificateFile(dataDir);
  const cert = parse(file);
  if (!cert) return undefined;
  return { ...describe(cert), pem: cert.toString() };
}

/** The most recently rejected certificate's thumbprint, to name in a connect error. */
export function newestRejectedThumbprint(dataDir: string): string | undefined {
  const list = entries(dataDir, 'rejected').sort((a, b) => b.mtimeMs - a.mtimeMs);
  return list[0]?.info.thumbprint;
}
