import { useMe } from '../me';

/** Shown on a form the logged-in user may look at but not save (only admins change the configuration). */
export function ReadOnlyBanner({ what }: { what: string }) {
  const me = useMe();
  if (!me || me.role === 'admin') return null;
  return (
    <p class="banner" data-testid="read-only">
      You are logged in as <strong>{me.username}</strong> with the role <strong>{me.role}</strong>: you can look at{' '}
      {what}, but only an admin can change it.
    </p>
  );
}
