/**
 * The console shell: loads the session, shows sign-in until there is one, then the navigation and the page the
 * URL names (below /ui). Pages other than the catalog browser load on demand, so the first load stays small.
 */
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { resetClients } from './api/clients';
import { loadSession, onSessionEnded, type SessionState, signOut } from './api/session';
import { ErrorMessage, Loading } from './components/states';
import { CatalogPage } from './pages/catalog';
import { SignIn } from './pages/sign-in';

const TablePage = lazy(() => import('./pages/table').then((m) => ({ default: m.TablePage })));
const ViewPage = lazy(() => import('./pages/view').then((m) => ({ default: m.ViewPage })));
const LanceTablePage = lazy(() => import('./pages/lance-table').then((m) => ({ default: m.LanceTablePage })));
const AccessPage = lazy(() => import('./pages/access').then((m) => ({ default: m.AccessPage })));
const PrincipalsPage = lazy(() => import('./pages/principals').then((m) => ({ default: m.PrincipalsPage })));
const WarehouseSettingsPage = lazy(() => import('./pages/warehouse-settings').then((m) => ({ default: m.WarehouseSettingsPage })));
const DroppedPage = lazy(() => import('./pages/dropped').then((m) => ({ default: m.DroppedPage })));
const ActivityPage = lazy(() => import('./pages/activity').then((m) => ({ default: m.ActivityPage })));

export function App() {
  const [session, setSession] = useState<SessionState | undefined>();
  const [error, setError] = useState<unknown>();
  const refresh = useCallback(() => {
    loadSession().then(setSession, setError);
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => onSessionEnded(refresh), [refresh]);

  if (error)
    return (
      <ErrorMessage
        error={error}
        retry={() => {
          setError(undefined);
          refresh();
        }}
      />
    );
  if (!session) return <Loading what="the console" />;
  if (!session.signedIn) return <SignIn providers={session.providers} onSignedIn={setSession} />;
  return (
    <Router base="/ui">
      <Shell
        session={session}
        onSignedOut={() => {
          resetClients();
          refresh();
        }}
      />
    </Router>
  );
}

function Shell({ session, onSignedOut }: { session: SessionState; onSignedOut: () => void }) {
  const [location] = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const nav = [
    ['/', 'Catalog'],
    ['/access', 'Access'],
    ['/principals', 'Principals'],
    ['/activity', 'Activity'],
  ] as const;
  const active = (href: string) => (href === '/' ? location === '/' || location.startsWith('/catalog') : location.startsWith(href));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Lakegate</span>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </button>
        <nav id="nav" className={menuOpen ? 'open' : ''} aria-label="Main">
          {nav.map(([href, label]) => (
            <Link
              key={href}
              href={href}
              className={active(href) ? 'active' : ''}
              aria-current={active(href) ? 'page' : undefined}
              onClick={() => setMenuOpen(false)}
            >
              {label}
            </Link>
          ))}
        </nav>
        <div className="who" data-testid="who">
          <span title={session.identity?.issuer}>{session.identity?.description}</span>
          <span className="tenant">tenant {session.identity?.tenant}</span>
          <button type="button" onClick={() => void signOut().finally(onSignedOut)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Switch>
            <Route path="/" component={CatalogPage} />
            <Route path="/catalog/:warehouse" component={CatalogPage} />
            <Route path="/catalog/:warehouse/ns/:namespace" component={CatalogPage} />
            <Route path="/catalog/:warehouse/table/:namespace/:name" component={TablePage} />
            <Route path="/catalog/:warehouse/view/:namespace/:name" component={ViewPage} />
            <Route path="/catalog/:warehouse/lance/:namespace/:name" component={LanceTablePage} />
            <Route path="/catalog/:warehouse/dropped" component={DroppedPage} />
            <Route path="/catalog/:warehouse/settings" component={WarehouseSettingsPage} />
            <Route path="/access" component={AccessPage} />
            <Route path="/principals" component={PrincipalsPage} />
            <Route path="/activity" component={ActivityPage} />
            <Route>
              <p className="state empty">
                No such page. <Link href="/">Back to the catalog</Link>
              </p>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  );
}
