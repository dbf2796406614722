/**
 * First login with the generated password: GET /api/v1/auth/me says `mustChangePassword`
 * until the admin sets a password of their own (then the file is gone and the field too).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureAdmin, INITIAL_PASSWORD_FILE } from '../../core/first-start.js';
import { silentLogger } from '../../core/log.js';
import { setPassword } from '../../core/store/users.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const me = async (auth: Record<string, string>) =>
  (await (gw as TestGateway).app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).json();

describe('the generated first password', () => {
  it('asks the admin to set their own until they have', async () => {
    gw = await startTestGateway({ gateway: { id: 'gw-first' } });
    await ensureAdmin(gw.db, gw.dir, silentLogger());
    const generated = readFileSync(join(gw.dir, INITIAL_PASSWORD_FILE), 'utf8').trim();
    const auth = await gw.login('admin', generated);
    expect(await me(auth)).toMatchObject({ username: 'admin', mustChangePassword: true });

    const changed = await gw.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/password',
      headers: auth,
      payload: { currentPassword: generated, newPassword: 'my own plant password' },
    });
    expect(changed.statusCode).toBe(200);
    const again = await gw.login('admin', 'my own plant password');
    expect(await me(again)).toEqual({ username: 'admin', role: 'admin' });
  });

  it('does not ask when the file is stale (password set another way) or for other users', async () => {
    gw = await startTestGateway({ gateway: { id: 'gw-first' } });
    await ensureAdmin(gw.db, gw.dir, silentLogger());
    // e.g. `tagwire passwd admin`: the file stays but no longer works.
    await setPassword(gw.db, 'admin', 'set from the command line', 'admin');
    await setPassword(gw.db, 'op', 'operator password', 'operator');
    expect(await me(await gw.login('admin', 'set from the command line'))).toEqual({
      username: 'admin',
      role: 'admin',
    });
    expect(await me(await gw.login('op', 'operator password'))).toEqual({ username: 'op', role: 'operator' });
  });
});
