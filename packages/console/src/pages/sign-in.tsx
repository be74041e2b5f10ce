/** Sign-in: a service principal's client id and secret, or a configured OIDC issuer (the server runs the code flow). */
import { type FormEvent, useState } from 'react';
import { CatalogError } from '@lakegate/client/browser';
import { describeError, type Provider, type SessionState, signInWithSecret } from '../api/session';

/** The server redirects back with a code only; these are its words. */
const SIGN_IN_ERRORS: Record<string, string> = {
  ERR_OIDC_STATE: 'The sign-in was not started in this browser, took too long, or was tampered with. Start again.',
  ERR_OIDC_FAILED: 'The identity provider did not sign you in, or this server does not accept its token (audience or user claim). Ask an administrator.',
  ERR_OIDC_UNKNOWN_PROVIDER: 'No such sign-in provider.',
  ERR_OIDC_UNREACHABLE: 'The identity provider cannot be reached.',
};

export function SignIn({ providers, onSignedIn }: { providers: Provider[]; onSignedIn: (s: SessionState) => void }) {
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(() => {
    const code = new URLSearchParams(globalThis.location.search).get('signin-error');
    return code ? (SIGN_IN_ERRORS[code] ?? 'The sign-in failed.') : undefined;
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const s = await signInWithSecret(clientId.trim(), secret);
      setSecret('');
      globalThis.history.replaceState(null, '', '/ui/');
      onSignedIn(s);
    } catch (err) {
      setError(err instanceof CatalogError && err.status === 401 ? 'The client id or secret is wrong, or the principal is disabled.' : describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in" id="main">
      <h1>Lakegate console</h1>
      {error && (
        <p className="state error" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
      {providers.length > 0 && (
        <section aria-labelledby="sso">
          <h2 id="sso">Sign in with your organization</h2>
          {providers.map((p) => (
            <a key={p.id} className="button primary" href={`/ui/auth/oidc/${p.id}`} data-testid={`oidc-${p.id}`}>
              Sign in with {p.label}
            </a>
          ))}
        </section>
      )}
      <section aria-labelledby="sp">
        <h2 id="sp">Sign in as a service principal</h2>
        <form onSubmit={(e) => void submit(e)}>
          <label>
            Client id
            <input name="client-id" autoComplete="username" value={clientId} onChange={(e) => setClientId(e.target.value)} required />
          </label>
          <label>
            Client secret
            <input name="client-secret" type="password" autoComplete="current-password" value={secret} onChange={(e) => setSecret(e.target.value)} required />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="hint">The first start writes the admin's client id and secret to &lt;data-dir&gt;/admin-credentials.json.</p>
      </section>
    </main>
  );
}
