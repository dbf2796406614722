import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASH_PARAMS, hashPassword, verifyPassword } from '../../../core/auth/password.js';

const MIB = 1024 * 1024;

describe('password hashing', () => {
  it('stores its scrypt parameters with the hash and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, Number(n), Number(r), Number(p)]).toEqual(['scrypt', 8192, 8, 10]);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery ', stored)).toBe(false);
  });

  it('needs at most 16 MB while it hashes, where the former parameters needed 32 MB', () => {
    // Node refuses a derivation whose memory would exceed maxmem: this is the bound itself.
    const bounded = { maxmem: 16 * MIB };
    expect(() => scryptSync('pw', 'salt', 32, { ...HASH_PARAMS, ...bounded })).not.toThrow();
    expect(() => scryptSync('pw', 'salt', 32, { N: 1 << 15, r: 8, p: 1, ...bounded })).toThrow(/memory/i);
  });

  it('still verifies a hash stored with the former parameters (N = 2^15, p = 1)', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('old-password-1', salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * MIB });
    const stored = ['scrypt', 1 << 15, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    expect(await verifyPassword('old-password-1', stored)).toBe(true);
    expect(await verifyPassword('old-password-2', stored)).toBe(false);
  });

  it('refuses a stored hash of another scheme or without its parts', async () => {
    expect(await verifyPassword('x', 'bcrypt$10$abc')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$8192$8$10')).toBe(false);
  });
});
