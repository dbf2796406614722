/**
 * Password guessing and log flooding over real HTTP (the gateway listening on 127.0.0.1,
 * clients on other loopback addresses acting as other machines): failed logins are counted
 * before the slow password hash, per address and per user name, a correct password clears
 * nobody's failures, the password change is limited like the login, and an oversized login
 * is refused before it reaches the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpCall } from '../helpers/http-client.js';
import { MemoryLog } from '../helpers/memory-log.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
const log = new MemoryLog();

beforeAll(async () => {
  gw = await startTestGateway(
    { gateway: { id: 'gw-limits' } },
    {
      listen: true,
      log: log.logger,
      users: {
        admin: ['admin horse battery', 'admin'],
        alice: ['alice horse battery', 'viewer'],
        bob: ['bob horse battery', 'operator'],
        carol: ['carol horse battery', 'viewer'],
        dave: ['dave horse battery', 'viewer'],
      },
    },
  );
});

afterAll(async () => {
  await gw?.close();
});

const login = (username: string, password: string, localAddress: string) =>
  httpCall(gw.base, '/api/v1/auth/login', { body: { username, password }, localAddress });

describe('login rate limit', () => {
  it('answers 429 to most of 100 parallel wrong logins: each is counted before its password is hashed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login('admin', `wrong-guess-${i}`, '127.0.0.11')),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBe(5);
    expect(statuses.filter((s) => s === 429).length).toBe(95);
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.json().error?.code).toBe('rate-limited');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('does not let a correct login of one user clear the failures of another (4 wrong + 1 own, repeated)', async () => {
    const address = '127.0.0.12';
    const guesses: number[] = [];
    const own: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) guesses.push((await login('bob', `guess-${round}-${i}`, address)).status);
      own.push((await login('alice', 'alice horse battery', address)).status);
    }
    // Round 1: four wrong guesses, then alice gets in. Round 2: the fifth guess is the last one.
    expect(own[0]).toBe(200);
    expect(guesses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(guesses.slice(5)).toEqual(Array(7).fill(429));
  });

  it('limits guesses at one user name spread over many addresses', async () => {
    const statuses: number[] = [];
    // Four addresses, three guesses each: no address reaches its own limit of five.
    for (let a = 0; a < 4; a++) {
      for (let i = 0; i < 3; i++) statuses.push((await login('carol', `spread-${a}-${i}`, `127.0.1.${a + 1}`)).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Even the right password waits: the name is locked for the rest of the minute.
    expect((await login('carol', 'carol horse battery', '127.0.1.9')).status).toBe(429);
    // Other users from a clean address are not affected.
    expect((await login('alice', 'alice horse battery', '127.0.1.10')).status).toBe(200);
  });

  it('limits guessing the current password in a password change like a login', async () => {
    const address = '127.0.0.13';
    const ok = await login('dave', 'dave horse battery', address);
    expect(ok.status).toBe(200);
    const headers = { authorization: `Bearer ${ok.json().token}` };
    const change = (currentPassword: string) =>
      httpCall(gw.base, '/api/v1/auth/password', {
        method: 'PUT',
        headers,
        body: { currentPassword, newPassword: 'dave new horse battery' },
        localAddress: address,
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await change(`not-it-${i}`)).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403]);
    const limited = await change('dave horse battery');
    expect(limited.status).toBe(429);
    expect(limited.json().error?.code).toBe('rate-limited');
    // Nothing changed: the old password still logs in (from another address).
    expect((await login('dave', 'dave horse battery', '127.0.0.14')).status).toBe(200);
  });
});

describe('login body and log size', () => {
  it('refuses a 10 MB user name with 413 before reading it, and the log stays small', async () => {
    const before = log.bytes;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        login('x'.repeat(10 * 1024 * 1024), 'whatever', '127.0.0.15').catch((err: Error) => err),
      ),
    );
    for (const answer of answers) {
      if (answer instanceof Error) throw answer;
      expect(answer.status).toBe(413);
      expect(answer.json().error).toMatchObject({
        code: 'body-too-large',
        message: 'the request body is larger than 4096 bytes',
      });
    }
    expect(log.bytes - before).toBeLessThan(5 * 1024);
  });

  it('cuts a long user name in the failed-login log line', async () => {
    const before = log.lines.length;
    const name = `${'y'.repeat(3000)}-end`;
    expect((await login(name, 'whatever', '127.0.0.16')).status).toBe(401);
    const lines = log.lines.slice(before).filter((l) => l.includes('failed login'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as { username: string };
    expect(line.username).toBe(`${'y'.repeat(64)}… (3004 characters)`);
    expect((lines[0] as string).length).toBeLessThan(600);
  });
});
