import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Link } from '../router';

/** Sent by the password form once the user's password has changed. */
export const PASSWORD_CHANGED_EVENT = 'tagwire-password-changed';

/**
 * While the first admin still logs in with the password generated on the first start (it is
 * in a file in the data directory), every page asks for a password of their own.
 */
export function InitialPasswordBanner({ path }: { path: string }) {
  const [needed, setNeeded] = useState(false);

  // Checked again on every page: the password may have been changed elsewhere.
  useEffect(() => {
    let stale = false;
    api<{ mustChangePassword?: boolean }>('GET', '/api/v1/auth/me').then(
      (me) => !stale && setNeeded(me.mustChangePassword === true),
      () => undefined,
    );
    return () => {
      stale = true;
    };
  }, [path]);

  useEffect(() => {
    const changed = () => setNeeded(false);
    window.addEventListener(PASSWORD_CHANGED_EVENT, changed);
    return () => window.removeEventListener(PASSWORD_CHANGED_EVENT, changed);
  }, []);

  if (!needed) return null;
  return (
    <div class="initial-password-banner" role="alert" data-testid="initial-password-banner">
      <strong>You are using the generated first password.</strong> Anyone who can read the gateway’s data directory
      knows it.{' '}
      {path === '/account' ? (
        'Set a password of your own below; the file holding the generated one is then deleted.'
      ) : (
        <Link href="/account" class="strong-link">
          Set your own password
        </Link>
      )}
    </div>
  );
}
