import { useState } from 'preact/hooks';
import { ApiError, errorAdvice, type LoginResult, login } from '../api';
import { sentence } from '../format';
import { useDocumentTitle } from '../live';

/** A password sent over plain HTTP to another machine can be read by anyone on the network between. */
function plainHttpToAnotherMachine(): boolean {
  const { protocol, hostname } = window.location;
  const loopback = hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
  return protocol === 'http:' && !loopback;
}

/** User name and password; shows the rate-limit message; explains where the first password is. */
export function LoginPage({ onLoggedIn }: { onLoggedIn(user: LoginResult['user']): void }) {
  useDocumentTitle('Log in');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await login(username.trim(), password);
      onLoggedIn(result.user);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true" />
          tagwire
        </div>
        <h1 id="login-title">Log in to the gateway</h1>
        {plainHttpToAnotherMachine() ? (
          <p class="banner banner-bad" role="note" data-testid="plain-http-warning">
            This connection is not encrypted: the password crosses the network readable. Serve the gateway over HTTPS (
            <code>gateway.http.tls</code>) or reach it through an HTTPS proxy.
          </p>
        ) : null}
        <label class="field-label" for="login-username">
          User name
        </label>
        <input
          id="login-username"
          autocomplete="username"
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
          required
        />
        <label class="field-label" for="login-password">
          Password
        </label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          // biome-ignore lint/a11y/noAutofocus: the only thing to do on this page
          autoFocus
          required
        />
        {error ? (
          <div class={`login-error${error.code === 'rate-limited' ? ' login-locked' : ''}`} role="alert">
            <strong>{sentence(error.message)}</strong>
            {errorAdvice(error) ? <span>{errorAdvice(error)}</span> : null}
          </div>
        ) : null}
        <button type="submit" class="button primary wide" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <details class="login-help">
          <summary class="login-help-toggle">First start? Where is the password?</summary>
          <p>
            On its first start the gateway creates the user <strong>admin</strong> with a random password. It is printed
            once in the gateway's log and saved in the file <code>initial-admin-password</code> in the data directory (
            <code>./data</code> unless <code>--data</code> or <code>TAGWIRE_DATA_DIR</code> says otherwise), readable
            only by the user running the gateway. If <code>TAGWIRE_ADMIN_PASSWORD</code> was set on the first start,
            that is the password.
          </p>
          <p>
            Forgot it? On the gateway machine run <code>tagwire passwd admin</code> and type a new one.
          </p>
        </details>
      </form>
    </main>
  );
}
