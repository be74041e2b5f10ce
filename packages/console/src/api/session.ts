/**
 * The console's session with the server. The browser holds only the httpOnly session cookie (set by the server,
 * unreadable here); this module keeps the session's CSRF token in memory and adds it to every request through an
 * auth provider of the SDK, so each call made with the SDK carries the cookie (same origin) and the token.
 * Sign-in and sign-out go through the SDK's transport too.
 */
import { type AuthProvider, type ExplainSubject, type OutgoingRequest, CatalogError, HttpTransport, noAuth } from '@lakegate/client/browser';

export interface Identity {
  kind: 'service' | 'user';
  subject: string;
  issuer: string;
  tenant: string;
  groups: string[];
  roles: string[];
  /** "service:abc" or "user:alice". */
  description: string;
}

export interface Provider {
  id: number;
  label: string;
  issuer: string;
}

export interface SessionState {
  signedIn: boolean;
  providers: Provider[];
  identity?: Identity;
  expiresAtMs?: number;
  csrf?: string;
  csrfHeader?: string;
}

/** Browsers refuse `fetch` called as a method of another object; the SDK stores it, so it gets a plain function. */
export const browserFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

let csrf: { header: string; token: string } | undefined;
let identity: Identity | undefined;

/** The signed-in identity as an explain subject ("may I …?"). */
export function selfSubject(): ExplainSubject {
  if (identity?.kind === 'user') return { kind: 'user', name: identity.subject, issuer: identity.issuer, groups: identity.groups };
  return { kind: 'principal', name: identity?.subject ?? '' };
}
const listeners = new Set<() => void>();

/** Called when the server says the session has ended (401): the app shows the sign-in page. */
export function onSessionEnded(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The SDK auth provider of the console: the cookie goes by itself; the CSRF token goes in its header. */
export const sessionAuth: AuthProvider = {
  async authenticate(request: OutgoingRequest) {
    if (csrf) request.headers[csrf.header] = csrf.token;
  },
  invalidate() {
    csrf = undefined;
    for (const l of listeners) l();
    return false;
  },
};

export const origin = (): string => globalThis.location.origin;

const transport = () => new HttpTransport({ uri: origin(), auth: sessionAuth, fetch: browserFetch, retries: 0, timeoutMs: 20_000 });

export async function loadSession(): Promise<SessionState> {
  const { body } = await transport().send<SessionState>({ method: 'GET', path: 'ui/auth/session', errorModel: 'iceberg' });
  csrf = body.signedIn && body.csrf && body.csrfHeader ? { header: body.csrfHeader, token: body.csrf } : undefined;
  identity = body.signedIn ? body.identity : undefined;
  return body;
}

export async function signInWithSecret(clientId: string, clientSecret: string): Promise<SessionState> {
  // Without the session provider: a refused sign-in is not the end of a session.
  const anonymous = new HttpTransport({ uri: origin(), auth: noAuth, fetch: browserFetch, retries: 0, timeoutMs: 20_000 });
  await anonymous.send({ method: 'POST', path: 'ui/auth/login', body: { clientId, clientSecret }, errorModel: 'iceberg' });
  return loadSession();
}

export async function signOut(): Promise<void> {
  try {
    await transport().send({ method: 'POST', path: 'ui/auth/logout', body: {}, errorModel: 'iceberg' });
  } finally {
    csrf = undefined;
  }
}

/** A readable sentence for any failure of a call: 403 says what was refused, in words. */
export function describeError(error: unknown): string {
  if (error instanceof CatalogError) {
    if (error.status === 403) return `Not allowed: ${stripPrefix(error.message)}. Ask an administrator for a grant if you need this.`;
    if (error.status === 401) return 'Your session has ended. Sign in again.';
    if (error.status === 404) return `Not found: ${stripPrefix(error.message)}`;
    if (error.status === 0) return `The server cannot be reached (${error.message}).`;
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function stripPrefix(message: string): string {
  return message.replace(/^(Forbidden|Not allowed):\s*/i, '').replace(/\.$/, '');
}
