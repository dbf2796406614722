import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { notify } from '../notice';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

const MIN_PASSWORD = 8;

/** An admin sets a new password for another user; that user's sessions and API tokens end. */
export function ResetPasswordDialog({ username, onClose }: { username: string; onClose(): void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const short = password.length > 0 && password.length < MIN_PASSWORD;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password.length < MIN_PASSWORD) return;
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(username)}`, { password });
      notify(`New password set for ${username}; their sessions and API tokens were ended. Tell them in person.`);
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`New password for ${username}`}
      labelId="reset-password-title"
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="reset-password-form"
            class="button primary"
            disabled={busy || password.length < MIN_PASSWORD}
          >
            {busy ? 'Setting…' : 'Set password'}
          </button>
        </>
      }
    >
      <form id="reset-password-form" class="write-form" onSubmit={submit}>
        <label for="reset-password" class="field-label">
          New password
        </label>
        <input
          id="reset-password"
          type="password"
          autocomplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autoFocus
        />
        <p class={short ? 'field-errors' : 'help'}>
          At least {MIN_PASSWORD} characters. {username} is logged out everywhere and their API tokens stop working.
        </p>
      </form>
      <ErrorBox error={error} title="The password was not changed" />
    </Dialog>
  );
}
