import { ApiTokens } from '../components/ApiTokens';
import { PasswordForm } from '../components/PasswordForm';
import { useDocumentTitle } from '../live';
import { ROLE_HELP, useMe } from '../me';
import { Link } from '../router';

/** The logged-in user: who and what role, the own password, API tokens. */
export function AccountPage() {
  useDocumentTitle('Your account');
  const me = useMe();
  return (
    <section>
      <div class="page-head">
        <h1>Your account</h1>
      </div>
      {me ? (
        <p class="lead" data-testid="account-summary">
          Logged in as <strong>{me.username}</strong> with the role <span class="role-tag">{me.role}</span>:{' '}
          {ROLE_HELP[me.role]}.
          {me.role === 'admin' ? (
            <>
              {' '}
              Other users are managed on the <Link href="/users">Users</Link> page.
            </>
          ) : null}
        </p>
      ) : null}
      <div class="account-grid">
        <PasswordForm />
        <ApiTokens />
      </div>
    </section>
  );
}
