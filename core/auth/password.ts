import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { OneAtATime } from '../one-at-a-time.js';

/**
 * Password hashing with scrypt from Node's crypto (memory-hard, no native add-on to
 * build). Stored as `scrypt$N$r$p$salt$hash` so parameters can be raised later: a hash made
 * with other parameters is made again at the user's next login (`hashIsCurrent`).
 *
 * N = 2^15, r = 8, p = 3: OWASP's minimum at 32 MB (Password Storage Cheat Sheet, equivalent to
 * N = 2^17 with p = 1); p = 1 before, a quarter of it. About 0.3 s of one core per check.
 *
 * N = 2^13 with p = 10 (an OWASP-equivalent setting) needs 8 MB per derivation instead of 32,
 * but measured worse: glibc serves 8 MB from the thread pool's arenas and keeps it (+8 MB
 * resident per thread that ever checked a password), while 32 MB is always mapped and
 * returned at once — a moment's peak per login, nothing kept.
 */
const PARAMS = { N: 1 << 15, r: 8, p: 3, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/**
 * One derivation at a time for the whole process: each holds 32 MB while it runs, so parallel
 * logins (or a burst of guesses from many addresses) would hold 32 MB each and fill the thread
 * pool that file and DNS work share. Queued, they cost one 32 MB buffer and one thread.
 */
const derivations = new OneAtATime();

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return derivations.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Whether a stored hash was made with today's parameters. */
export function hashIsCurrent(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme === 'scrypt' && Number(n) === PARAMS.N && Number(r) === PARAMS.r && Number(p) === PARAMS.p;
}

/** A random password for the first admin: 20 characters, no look-alike characters. */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
