import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt from Node's crypto (memory-hard, no native add-on to
 * build). Stored as `scrypt$N$r$p$salt$hash`, so hashes made with other parameters
 * (earlier versions used N = 2^15, p = 1) still verify.
 *
 * N = 2^13, r = 8, p = 10 is one of OWASP's equivalent scrypt settings (as strong as
 * N = 2^17, p = 1): it needs 8 MB while it runs instead of the 32 MB that N = 2^15 took
 * at every login and at the first start — on an edge box that was a quarter of the
 * gateway's memory, for a moment, per login. It costs ~0.3 s of one thread-pool thread.
 */
export const HASH_PARAMS = { N: 1 << 13, r: 8, p: 10 } as const;
const MAX_MEMORY = 64 * 1024 * 1024;
const PARAMS = { ...HASH_PARAMS, maxmem: MAX_MEMORY };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
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
    maxmem: MAX_MEMORY,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A random password for the first admin: 20 characters, no look-alike characters. */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
