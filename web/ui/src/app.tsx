import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, logout, type Me, onUnauthorized } from './api';
import { InitialPasswordBanner } from './components/InitialPasswordBanner';
import { Notices } from './components/Notices';
import { useLiveConnection } from './live';
import { MeContext } from './me';
import { AccountPage } from './pages/AccountPage';
import { AuditPage } from './pages/AuditPage';
import { CertificatesPage } from './pages/CertificatesPage';
import { DeviceFormPage } from './pages/DeviceFormPage';
import { DevicesPage } from './pages/DevicesPage';
import { LiveValuesPage } from './pages/LiveValuesPage';
import { LoginPage } from './pages/LoginPage';
import { LogsPage } from './pages/LogsPage';
import { NorthFormPage } from './pages/NorthFormPage';
import { NorthPage } from './pages/NorthPage';
import { OverviewPage } from './pages/OverviewPage';
import { SettingsPage } from './pages/SettingsPage';
import { TagsPage } from './pages/TagsPage';
import { UnsPage } from './pages/UnsPage';
import { UsersPage } from './pages/UsersPage';
import { loadSchema } from './plugins';
import { Link, match, navigate, useLocation } from './router';
import { liveEvents } from './sse';
import './history';

type Auth = 'checking' | 'in' | 'out' | 'unreachable';

function page(path: string): VNode {
  if (path === '/' || path === '/overview') return <OverviewPage />;
  if (path === '/devices') return <DevicesPage />;
  if (path === '/devices/new') return <DeviceFormPage />;
  let m = match('/devices/:name/edit', path);
  if (m) return <DeviceFormPage name={m.name} />;
  m = match('/devices/:name/browse', path);
  if (m?.name) return <TagsPage name={m.name} browse />;
  m = match('/devices/:name/tags', path) ?? match('/devices/:name', path);
  if (m?.name) return <TagsPage name={m.name} />;
  if (path === '/values') return <LiveValuesPage />;
  if (path === '/uns') return <UnsPage />;
  if (path === '/logs') return <LogsPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/certificates') return <CertificatesPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/users') return <UsersPage />;
  if (path === '/settings') return <SettingsPage />;
  if (path === '/north') return <NorthPage />;
  if (path === '/north/new') return <NorthFormPage />;
  m = match('/north/:name/edit', path);
  if (m) return <NorthFormPage name={m.name} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. Go to the <Link href="/">Overview</Link>.
      </p>
    </section>
  );
}

/** `adminOnly` entries are offered to admins only (the pages themselves say so to others). */
const NAV = [
  { href: '/', label: 'Overview', active: (p: string) => p === '/' || p === '/overview' },
  { href: '/devices', label: 'Devices', active: (p: string) => p.startsWith('/devices') },
  { href: '/north', label: 'North apps', active: (p: string) => p.startsWith('/north') },
  { href: '/values', label: 'Live values', active: (p: string) => p === '/values' },
  { href: '/uns', label: 'UNS explorer', active: (p: string) => p === '/uns' },
  { href: '/logs', label: 'Logs', active: (p: string) => p === '/logs' },
  { href: '/audit', label: 'Audit', active: (p: string) => p === '/audit', adminOnly: true },
  { href: '/certificates', label: 'Certificates', active: (p: string) => p === '/certificates', adminOnly: true },
  { href: '/users', label: 'Users', active: (p: string) => p === '/users', adminOnly: true },
  { href: '/settings', label: 'Settings', active: (p: string) => p === '/settings' },
];

const ROLES: ReadonlyArray<Me['role']> = ['admin', 'operator', 'viewer'];
const asMe = (u: { username?: unknown; role?: unknown } | undefined): Me | undefined =>
  u && typeof u.username === 'string' && ROLES.includes(u.role as Me['role'])
    ? { username: u.username, role: u.role as Me['role'] }
    : undefined;

export function App() {
  const path = useLocation();
  const [auth, setAuth] = useState<Auth>('checking');
  const [me, setMe] = useState<Me>();

  // Who is logged in (and whether anyone is): the session cookie survives a reload.
  const check = () => {
    setAuth('checking');
    api<Me>('GET', '/api/v1/auth/me').then(
      (user) => {
        setMe(asMe(user));
        setAuth('in');
      },
      (err: unknown) => setAuth(err instanceof ApiError && err.status === 401 ? 'out' : 'unreachable'),
    );
  };

  useEffect(() => {
    onUnauthorized(() => setAuth('out'));
    check();
  }, []);

  useEffect(() => {
    if (auth === 'in') {
      liveEvents.start();
      // Plugins' error explanations and hints, for whichever page shows an error first.
      loadSchema().catch(() => undefined);
    } else liveEvents.stop();
  }, [auth]);

  if (auth === 'checking') return <div class="splash">Connecting to the gateway…</div>;
  if (auth === 'unreachable') {
    return (
      <main class="login-page">
        <div class="login-card">
          <h1>The gateway does not answer</h1>
          <p>Check that tagwire is running and that this computer can reach it, then try again.</p>
          <button type="button" class="button primary wide" onClick={check}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (auth === 'out') {
    return (
      <LoginPage
        onLoggedIn={(user) => {
          if (path === '/login') navigate('/', { replace: true });
          const known = asMe(user);
          if (!known) return check();
          setMe(known);
          setAuth('in');
        }}
      />
    );
  }

  return (
    <MeContext.Provider value={me}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          tagwire
        </Link>
        <nav class="mainnav" aria-label="Main">
          {NAV.filter((n) => !n.adminOnly || me?.role === 'admin').map((n) => (
            <Link
              key={n.href}
              href={n.href}
              class={n.active(path) ? 'active' : ''}
              aria-current={n.active(path) ? 'page' : undefined}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <div class="topbar-right">
          <LiveIndicator />
          {me ? (
            <Link
              href="/account"
              class={`user${path === '/account' ? ' active' : ''}`}
              title="Your account: password and API tokens"
            >
              <span class="user-name" data-testid="user-name">
                {me.username}
              </span>
              <span class="role-chip" data-testid="user-role">
                {me.role}
              </span>
            </Link>
          ) : null}
          <button
            type="button"
            class="button small ghost"
            onClick={async () => {
              await logout().catch(() => undefined);
              setMe(undefined);
              setAuth('out');
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <Notices />
      {me?.role === 'admin' ? <InitialPasswordBanner path={path} /> : null}
      {/* Focusable so that "Skip to content" moves the keyboard focus here. */}
      <main id="main" class="content" key={path} tabIndex={-1}>
        {page(path)}
      </main>
    </MeContext.Provider>
  );
}

function LiveIndicator() {
  const live = useLiveConnection();
  return (
    <span class={`live-dot${live ? ' is-live' : ''}`} title={live ? 'Live updates on' : 'Live updates reconnecting'}>
      <span class="live-mark" aria-hidden="true" />
      {live ? 'Live' : 'Offline'}
    </span>
  );
}
