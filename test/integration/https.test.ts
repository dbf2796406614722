/**
 * HTTPS (SPEC §3 `gateway.http.tls`): `tagwire start` serves the UI and API over TLS with a
 * self-signed certificate it makes once in the data directory, or with given PEM files; the
 * session cookie is Secure there. A client that trusts exactly that certificate connects.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import { validateConfig } from '../../core/config/validate.js';
import { exitWithin, kill, type Proc, spawnTagwire } from '../helpers/cli-process.js';
import { freePort } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dir.js';

const PASSWORD = 'https-test-Secret-42';
const procs: Proc[] = [];

afterAll(async () => {
  for (const p of procs) await kill(p);
  removeTempDirs();
});

/** An HTTPS request that trusts only `ca`; resolves with status, headers and body. */
function httpsCall(
  port: number,
  ca: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        ca,
        servername: 'localhost',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function startWith(dir: string, http: Record<string, unknown>): Promise<{ gw: Proc; port: number }> {
  const port = await freePort();
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, `gateway: { id: gw-tls, http: ${JSON.stringify({ host: '127.0.0.1', ...http })} }\n`);
  const gw = spawnTagwire(['start', '--config', file, '--data', join(dir, 'data'), '--http-port', String(port)], {
    TAGWIRE_ADMIN_PASSWORD: PASSWORD,
  });
  procs.push(gw);
  await gw.waitForOutput(/web UI and API on https:\/\//, 30_000);
  return { gw, port };
}

describe('HTTPS', () => {
  it('makes a self-signed certificate once, serves the API over TLS with a Secure session cookie', async () => {
    const dir = tempDir('tagwire-https-');
    const first = await startWith(dir, { tls: { selfSigned: true } });
    const certFile = join(dir, 'data', 'tls', 'server.crt');
    const keyFile = join(dir, 'data', 'tls', 'server.key');
    const ca = readFileSync(certFile, 'utf8');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(first.gw.output).toContain('made a self-signed certificate');

    const health = await httpsCall(first.port, ca, '/healthz');
    expect(health.status).toBe(200);
    const login = await httpsCall(first.port, ca, '/api/v1/auth/login', { username: 'admin', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/tagwire_session=[^;]+;.*; Secure/);
    first.gw.child.kill('SIGTERM');
    expect((await exitWithin(first.gw, 8000)).code).toBe(0);

    // A restart keeps the same certificate: a browser that trusted it keeps trusting it.
    const second = await startWith(dir, { tls: { selfSigned: true } });
    expect(readFileSync(certFile, 'utf8')).toBe(ca);
    expect(second.gw.output).not.toContain('made a self-signed certificate');
    expect((await httpsCall(second.port, ca, '/healthz')).status).toBe(200);
  }, 90_000);

  it('serves given certificate files, and refuses to start when one cannot be read', async () => {
    const made = tempDir('tagwire-https-made-');
    const maker = await startWith(made, { tls: { selfSigned: true } });
    maker.gw.child.kill('SIGTERM');
    await exitWithin(maker.gw, 8000);
    const cert = join(made, 'data', 'tls', 'server.crt');
    const key = join(made, 'data', 'tls', 'server.key');

    const dir = tempDir('tagwire-https-files-');
    const { port } = await startWith(dir, { tls: { cert, key } });
    expect((await httpsCall(port, readFileSync(cert, 'utf8'), '/healthz')).status).toBe(200);

    const broken = tempDir('tagwire-https-missing-');
    const file = join(broken, 'gw.yaml');
    writeFileSync(file, `gateway: { id: gw-tls, http: { tls: { cert: ${join(broken, 'none.crt')}, key: ${key} } } }\n`);
    const gw = spawnTagwire(['start', '--config', file, '--data', join(broken, 'data')], {
      TAGWIRE_ADMIN_PASSWORD: PASSWORD,
    });
    procs.push(gw);
    expect((await exitWithin(gw, 15_000)).code).toBe(1);
    expect(gw.output).toContain('gateway.http.tls.cert: cannot read');
    expect(gw.output).not.toMatch(/web UI and API on/);
  }, 90_000);

  it('refuses a tls section without a certificate or with both kinds', () => {
    const check = (tls: unknown) => {
      const r = validateConfig({ gateway: { id: 'g', http: { tls } } }, builtinRegistry());
      return r.ok ? [] : r.errors;
    };
    expect(check({ key: '/k.pem' })).toEqual([
      'gateway.http.tls.cert: the certificate file is required (or selfSigned: true)',
    ]);
    expect(check({ selfSigned: true, cert: '/c.pem' })).toEqual([
      'gateway.http.tls: give either cert and key files or selfSigned: true, not both',
    ]);
    expect(check({ selfSigned: true })).toEqual([]);
  });
});
