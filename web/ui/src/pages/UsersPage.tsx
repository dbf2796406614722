import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, api, type Me } from '../api';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { ResetPasswordDialog } from '../components/ResetPasswordDialog';
import { formatTimestamp } from '../format';
import { useDocumentTitle } from '../live';
import { ROLE_HELP, useMe } from '../me';
import { notify } from '../notice';
import type { UserInfo } from '../types';

const ROLES: Array<Me['role']> = ['viewer', 'operator', 'admin'];
const MIN_PASSWORD = 8;

/** Users and their roles (admins only): create with a role, change a role, reset a password, delete. */
export function UsersPage() {
  useDocumentTitle('Users');
  const me = useMe();
  const [users, setUsers] = useState<UserInfo[]>();
  const [loadError, setLoadError] = useState<ApiError>();
  const [error, setError] = useState<ApiError>();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Me['role']>('viewer');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const [resetting, setResetting] = useState<string>();
  // A role picked in the table waits for a confirmation: arrow keys on a closed select change it.
  const [pendingRole, setPendingRole] = useState<{ username: string; role: Me['role'] }>();

  const reload = useCallback(async () => {
    try {
      setUsers(await api<UserInfo[]>('GET', '/api/v1/users'));
      setLoadError(undefined);
    } catch (err) {
      if (err instanceof ApiError) setLoadError(err);
    }
  }, []);
  const isAdmin = me?.role === 'admin';
  useEffect(() => {
    if (isAdmin) void reload();
  }, [reload, isAdmin]);

  if (!isAdmin) {
    return (
      <section>
        <h1>Users</h1>
        <p class="banner">Only an admin manages users. Your own password and API tokens are on Your account.</p>
      </section>
    );
  }

  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (password.length < MIN_PASSWORD) return setProblem(`The password needs at least ${MIN_PASSWORD} characters.`);
    setProblem(undefined);
    setBusy(true);
    try {
      await api('POST', '/api/v1/users', { username: username.trim(), password, role });
      notify(`User ${username.trim()} created with the role ${role}. Tell them their password in person.`);
      setUsername('');
      setPassword('');
      setRole('viewer');
      await reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const changeRole = async (name: string, next: Me['role']) => {
    setError(undefined);
    try {
      await api('PATCH', `/api/v1/users/${encodeURIComponent(name)}`, { role: next });
      notify(`${name} is now ${next}: ${ROLE_HELP[next]}.`);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    }
    await reload();
  };

  const remove = async (name: string) => {
    setDeleting(undefined);
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/users/${encodeURIComponent(name)}`);
      notify(`User ${name} deleted; their sessions and API tokens no longer work.`);
      await reload();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>Users</h1>
      </div>
      <p class="lead">
        <strong>viewer</strong>: {ROLE_HELP.viewer}. <strong>operator</strong>: {ROLE_HELP.operator}.{' '}
        <strong>admin</strong>: {ROLE_HELP.admin}.
      </p>
      <ErrorBox error={loadError} title="Cannot read the users" />
      <ErrorBox error={error} />
      <div class="account-grid users-grid">
        <div>
          {users ? (
            <div class="table-wrap">
              <table class="data-table" data-testid="users-table">
                <thead>
                  <tr>
                    <th>User</th>
                    <th>Role</th>
                    <th class="col-phone-hide">Created</th>
                    <th class="actions-col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {users.map((u) => (
                    <tr key={u.username} data-user={u.username}>
                      <td>
                        <strong>{u.username}</strong>
                        {u.username === me?.username ? <span class="muted"> (you)</span> : null}
                      </td>
                      <td>
                        {u.username === me?.username ? (
                          <span class="role-tag">{u.role}</span>
                        ) : (
                          <select
                            class="role-select"
                            aria-label={`Role of ${u.username}`}
                            value={u.role}
                            onChange={(e) =>
                              setPendingRole({ username: u.username, role: e.currentTarget.value as Me['role'] })
                            }
                          >
                            {ROLES.map((r) => (
                              <option key={r} value={r}>
                                {r}
                              </option>
                            ))}
                          </select>
                        )}
                      </td>
                      <td class="timestamp col-phone-hide">{formatTimestamp(u.createdAt)}</td>
                      <td class="actions">
                        {u.username !== me?.username ? (
                          <button
                            type="button"
                            class="button small"
                            aria-label={`New password for ${u.username}`}
                            onClick={() => setResetting(u.username)}
                          >
                            New password
                          </button>
                        ) : null}
                        {u.username !== me?.username ? (
                          <button
                            type="button"
                            class="button small danger-outline"
                            aria-label={`Delete ${u.username}`}
                            onClick={() => setDeleting(u.username)}
                          >
                            Delete
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
        <form class="card narrow-form" onSubmit={create} aria-label="Add user" noValidate>
          <h2 class="card-title">Add a user</h2>
          <div class="field">
            <label class="field-label" for="user-name">
              User name
            </label>
            <input
              id="user-name"
              autocomplete="off"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label class="field-label" for="user-password">
              Password
            </label>
            <input
              id="user-password"
              type="password"
              autocomplete="new-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            <p class="help">At least {MIN_PASSWORD} characters. The user can change it on Your account.</p>
          </div>
          <div class="field">
            <label class="field-label" for="user-role">
              Role
            </label>
            <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Me['role'])}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r} — {ROLE_HELP[r]}
                </option>
              ))}
            </select>
          </div>
          {problem ? <p class="field-errors">{problem}</p> : null}
          <div class="form-actions">
            <button type="submit" class="button primary" disabled={busy || !username.trim() || !password}>
              {busy ? 'Adding…' : 'Add user'}
            </button>
          </div>
        </form>
      </div>
      {pendingRole ? (
        <ConfirmDialog
          title={`Make ${pendingRole.username} ${pendingRole.role}?`}
          message={`${pendingRole.role}: ${ROLE_HELP[pendingRole.role]}. They are signed out everywhere (API tokens too) and log in again with it.`}
          confirmLabel="Change role"
          onCancel={() => {
            setPendingRole(undefined);
            void reload();
          }}
          onConfirm={() => {
            setPendingRole(undefined);
            void changeRole(pendingRole.username, pendingRole.role);
          }}
        />
      ) : null}
      {resetting ? <ResetPasswordDialog username={resetting} onClose={() => setResetting(undefined)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting}?`}
          message={`${deleting} can no longer log in; their sessions and API tokens stop working.`}
          confirmLabel="Delete user"
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => void remove(deleting)}
        />
      ) : null}
    </section>
  );
}
