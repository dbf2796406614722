import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { formatTimestamp } from '../format';
import { notify } from '../notice';
import type { ApiTokenInfo } from '../types';
import { ConfirmDialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

/**
 * The logged-in user's API tokens (for scripts: `Authorization: Bearer …`): create one with
 * a name (its secret is shown once), list, revoke.
 */
export function ApiTokens() {
  const [tokens, setTokens] = useState<ApiTokenInfo[]>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenInfo>();
  const secretRef = useRef<HTMLInputElement>(null);

  const reload = useCallback(async () => {
    try {
      setTokens(await api<ApiTokenInfo[]>('GET', '/api/v1/tokens'));
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCopied(false);
    try {
      const res = await api<{ id: string; name: string; token: string }>('POST', '/api/v1/tokens', {
        name: name.trim(),
      });
      setCreated({ name: res.name, token: res.token });
      setName('');
      await reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      // No clipboard (plain http on another host): select it for Ctrl+C instead.
      secretRef.current?.select();
    }
  };

  const revoke = async (t: ApiTokenInfo) => {
    setRevoking(undefined);
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/tokens/${encodeURIComponent(t.id)}`);
      notify(`Token ${t.name ?? t.id} revoked: requests with it are refused from now on.`);
      await reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    }
  };

  return (
    <div class="card" data-testid="api-tokens">
      <h2 class="card-title">API tokens</h2>
      <p class="help">
        For scripts and other programs: send <code>Authorization: Bearer TOKEN</code>. A token acts as you, with your
        role, until it is revoked.
      </p>
      <form class="inline-form" onSubmit={create} aria-label="Create API token">
        <div class="field">
          <label class="field-label" for="token-name">
            Name
          </label>
          <input
            id="token-name"
            maxLength={64}
            placeholder="what it is for, e.g. historian-import"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button primary" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      {created ? (
        <div class="token-once" role="status" data-testid="new-token">
          <p>
            <strong>Token {created.name} created.</strong> Copy it now: it is shown only this once and cannot be
            retrieved later.
          </p>
          <div class="token-row">
            <input
              ref={secretRef}
              class="mono"
              readOnly
              value={created.token}
              aria-label="New token"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" class="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" class="button" onClick={() => setCreated(undefined)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      <ErrorBox error={error} />
      {tokens && tokens.length === 0 ? <p class="muted">You have no API tokens.</p> : null}
      {tokens && tokens.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="tokens-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Id</th>
                <th>Created</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} data-token={t.name ?? t.id}>
                  <td>{t.name ?? <span class="muted">unnamed</span>}</td>
                  <td>
                    <code>{t.id}</code>
                  </td>
                  <td class="timestamp">{formatTimestamp(t.createdAt)}</td>
                  <td class="actions">
                    <button type="button" class="button small danger-outline" onClick={() => setRevoking(t)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke ${revoking.name ?? revoking.id}?`}
          message="Programs using this token are refused from now on. This cannot be undone; create a new token if needed."
          confirmLabel="Revoke token"
          onCancel={() => setRevoking(undefined)}
          onConfirm={() => void revoke(revoking)}
        />
      ) : null}
    </div>
  );
}
