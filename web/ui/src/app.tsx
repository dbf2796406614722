import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, logout, onUnauthorized } from './api';
import { Notices } from './components/Notices';
import { useLiveConnection } from './live';
import { DeviceFormPage } from './pages/DeviceFormPage';
import { DevicesPage } from './pages/DevicesPage';
import { LoginPage } from './pages/LoginPage';
import { NorthFormPage } from './pages/NorthFormPage';
import { NorthPage } from './pages/NorthPage';
import { OverviewPage } from './pages/OverviewPage';
import { TagsPage } from './pages/TagsPage';
import { Link, match, navigate, useLocation } from './router';
import { liveEvents } from './sse';

type Auth = 'checking' | 'in' | 'out' | 'unreachable';

function page(path: string): VNode {
  if (path === '/' || path === '/overview') return <OverviewPage />;
  if (path === '/devices') return <DevicesPage />;
  if (path === '/devices/new') return <DeviceFormPage />;
  let m = match('/devices/:name/edit', path);
  if (m) return <DeviceFormPage name={m.name} />;
  m = match('/devices/:name/tags', path) ?? match('/devices/:name', path);
  if (m?.name) return <TagsPage name={m.name} />;
  // Later (OPC UA issue): '/devices/:name/browse' → the OPC UA address-space browser, and
  // '/certificates' → the certificate trust list; add their nav entries in NAV when they land.
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

const NAV = [
  { href: '/', label: 'Overview', active: (p: string) => p === '/' || p === '/overview' },
  { href: '/devices', label: 'Devices', active: (p: string) => p.startsWith('/devices') },
  { href: '/north', label: 'North apps', active: (p: string) => p.startsWith('/north') },
];

export function App() {
  const path = useLocation();
  const [auth, setAuth] = useState<Auth>('checking');
  const [user, setUser] = useState<string>();

  const check = () => {
    setAuth('checking');
    api('GET', '/api/v1/status').then(
      () => setAuth('in'),
      (err: unknown) => setAuth(err instanceof ApiError && err.status === 401 ? 'out' : 'unreachable'),
    );
  };

  useEffect(() => {
    onUnauthorized(() => setAuth('out'));
    check();
  }, []);

  useEffect(() => {
    if (auth === 'in') liveEvents.start();
    else liveEvents.stop();
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
        onLoggedIn={(name) => {
          setUser(name);
          setAuth('in');
          if (path === '/login') navigate('/', { replace: true });
        }}
      />
    );
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          tagwire
        </Link>
        <nav class="mainnav" aria-label="Main">
          {NAV.map((n) => (
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
          {user ? <span class="user">{user}</span> : null}
          <button
            type="button"
            class="button small ghost"
            onClick={async () => {
              await logout().catch(() => undefined);
              setUser(undefined);
              setAuth('out');
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <Notices />
      <main id="main" class="content" key={path}>
        {page(path)}
      </main>
    </>
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
