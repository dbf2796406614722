import { describe, expect, it } from 'vitest';
import { hashIsCurrent, hashPassword, verifyPassword } from '../../../core/auth/password.js';

describe('password hashing', () => {
  it('stores its scrypt parameters and salt with the hash and verifies only the right password', async () => {
    const stored = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, Number(n), Number(r), Number(p)]).toEqual(['scrypt', 32768, 8, 3]);
    expect(hashIsCurrent(stored)).toBe(true);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery ', stored)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(stored);
  });

  it('refuses a stored hash of another scheme or without its parts', async () => {
    expect(await verifyPassword('x', 'bcrypt$10$abc')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$32768$8$1')).toBe(false);
    expect(hashIsCurrent('scrypt$32768$8$1$c2FsdA==$aGFzaA==')).toBe(false);
    expect(hashIsCurrent('bcrypt$10$abc')).toBe(false);
  });
});
