import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { notify } from '../notice';
import { ErrorBox } from './ErrorBox';
import { PASSWORD_CHANGED_EVENT } from './InitialPasswordBanner';

const MIN_LENGTH = 8;

/** Changes the logged-in user's own password (`PUT /api/v1/auth/password`). */
export function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (next.length < MIN_LENGTH) return setProblem(`The new password needs at least ${MIN_LENGTH} characters.`);
    if (next !== repeat) return setProblem('The two new passwords differ. Type the same one twice.');
    setProblem(undefined);
    setBusy(true);
    try {
      await api('PUT', '/api/v1/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      notify('Password changed. Use the new one from your next login.');
      window.dispatchEvent(new Event(PASSWORD_CHANGED_EVENT));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card narrow-form" onSubmit={submit} aria-label="Change password" noValidate>
      <h2 class="card-title">Change your password</h2>
      <div class="field">
        <label class="field-label" for="pw-current">
          Current password
        </label>
        <input
          id="pw-current"
          type="password"
          autocomplete="current-password"
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label class="field-label" for="pw-new">
          New password
        </label>
        <input
          id="pw-new"
          type="password"
          autocomplete="new-password"
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
          aria-describedby="pw-new-help"
        />
        <p class="help" id="pw-new-help">
          At least {MIN_LENGTH} characters; a few unrelated words are easy to type and hard to guess.
        </p>
      </div>
      <div class="field">
        <label class="field-label" for="pw-repeat">
          New password again
        </label>
        <input
          id="pw-repeat"
          type="password"
          autocomplete="new-password"
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
        />
      </div>
      {problem ? <p class="field-errors">{problem}</p> : null}
      <ErrorBox error={error} title="The password was not changed" />
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={busy || !current || !next}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
