/**
 * Console sign-in through a trusted OIDC issuer: OAuth 2.0 Authorization Code
 * with PKCE (S256), state and nonce, done server side with oauth4webapi (a
 * certified, well-kept OAuth client). Nothing of the flow reaches browser
 * storage: its state travels in a short-lived cookie sealed with the server's
 * secret key (AES-GCM), bound to this provider and callback. The user is then
 * the identity the issuer's *access token* names, verified exactly as a bearer
 * call would be (ExternalIssuers: audience, subject and groups claims,
 * tenant), so the console and the API agree on who the user is.
 */
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { SecretBox } from '../../security/secret-box.js';
import type { ExternalIdentity, ExternalIssuers } from '../idp/external-issuers.js';

export const ConsoleOidcProviderSchema = z.object({
  /** Must be one of the trusted issuers (trustedIssuers): its tokens are verified by that configuration. */
  issuer: z.string().url(),
  'client-id': z.string().min(1),
  /** For a confidential client (client_secret_post); omit for a public client (PKCE only). */
  'client-secret': z.string().min(1).optional(),
  scope: z.string().min(1).default('openid'),
  /** The button's text. */
  label: z.string().min(1).optional(),
});
export const ConsoleOidcSchema = z.array(ConsoleOidcProviderSchema);
export type ConsoleOidcProvider = z.infer<typeof ConsoleOidcProviderSchema>;

/** What the pending-login cookie carries (sealed). */
interface Pending {
  provider: number;
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  expiresAtMs: number;
}

export class OidcLoginError extends Error {
  constructor(
    readonly code: 'ERR_OIDC_UNKNOWN_PROVIDER' | 'ERR_OIDC_STATE' | 'ERR_OIDC_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'OidcLoginError';
  }
}

const PENDING_TTL_MS = 10 * 60_000;
const SEAL_CONTEXT = 'lakegate-console-oidc';

/** Plain http is accepted only for an issuer on the loopback interface (a local IdP in development and tests). */
function loopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export class OidcLogin {
  private readonly servers = new Map<number, Promise<oauth.AuthorizationServer>>();

  constructor(
    private readonly providers: ConsoleOidcProvider[],
    private readonly external: ExternalIssuers,
    private readonly box: SecretBox,
    private readonly now: () => number,
  ) {
    for (const p of providers) {
      if (external.tenantOf(p.issuer) === undefined) throw new TypeError(`console OIDC issuer ${p.issuer} is not one of the trusted issuers`);
    }
  }

  /** The sign-in choices the console shows. */
  list(): Array<{ id: number; label: string; issuer: string }> {
    return this.providers.map((p, id) => ({ id, label: p.label ?? new URL(p.issuer).host, issuer: p.issuer }));
  }

  /** Starts a sign-in: where to send the browser, and the sealed pending state for the cookie. */
  async begin(providerId: number, redirectUri: string): Promise<{ location: string; pending: string }> {
    const provider = this.provider(providerId);
    const as = await this.server(providerId);
    const verifier = oauth.generateRandomCodeVerifier();
    const pending: Pending = {
      provider: providerId,
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      verifier,
      redirectUri,
      expiresAtMs: this.now() + PENDING_TTL_MS,
    };
    if (!as.authorization_endpoint) throw new OidcLoginError('ERR_OIDC_FAILED', 'the issuer has no authorization endpoint');
    const url = new URL(as.authorization_endpoint);
    url.searchParams.set('client_id', provider['client-id']);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', provider.scope);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', pending.state);
    url.searchParams.set('nonce', pending.nonce);
    return { location: url.toString(), pending: this.box.seal(JSON.stringify(pending), SEAL_CONTEXT) };
  }

  /** Finishes a sign-in at the callback: checks state, redeems the code with the PKCE verifier, verifies the tokens. */
  async finish(callbackUrl: URL, sealedPending: string | undefined): Promise<ExternalIdentity> {
    const pending = this.unseal(sealedPending);
    const provider = this.provider(pending.provider);
    const as = await this.server(pending.provider);
    const client: oauth.Client = { client_id: provider['client-id'] };
    const auth = provider['client-secret'] ? oauth.ClientSecretPost(provider['client-secret']) : oauth.None();
    const insecure = { [oauth.allowInsecureRequests]: loopback(new URL(provider.issuer)) };
    let accessToken: string;
    try {
      const params = oauth.validateAuthResponse(as, client, callbackUrl, pending.state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, pending.redirectUri, pending.verifier, {
        ...insecure,
        signal: AbortSignal.timeout(10_000),
      });
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
      accessToken = result.access_token;
    } catch (e) {
      // The IdP's own error code (access_denied, invalid_grant, …) is safe to show; nothing of the tokens is.
      const detail =
        e instanceof oauth.AuthorizationResponseError || e instanceof oauth.ResponseBodyError
          ? e.error
          : e instanceof oauth.OperationProcessingError
            ? e.code
            : 'failed';
      throw new OidcLoginError('ERR_OIDC_FAILED', `sign-in with ${provider.issuer} failed (${detail})`);
    }
    let identity: ExternalIdentity | undefined;
    try {
      identity = await this.external.verify(accessToken, true);
    } catch {
      identity = undefined;
    }
    if (!identity)
      throw new OidcLoginError('ERR_OIDC_FAILED', `the access token of ${provider.issuer} is not accepted by this server (audience or subject claim)`);
    return identity;
  }

  private provider(id: number): ConsoleOidcProvider {
    const p = this.providers[id];
    if (!p) throw new OidcLoginError('ERR_OIDC_UNKNOWN_PROVIDER', 'no such sign-in provider');
    return p;
  }

  private unseal(sealed: string | undefined): Pending {
    let pending: Pending;
    try {
      pending = JSON.parse(this.box.open(sealed ?? '', SEAL_CONTEXT)) as Pending;
    } catch {
      throw new OidcLoginError('ERR_OIDC_STATE', 'the sign-in was not started in this browser, or it was tampered with; start again');
    }
    if (pending.expiresAtMs <= this.now()) throw new OidcLoginError('ERR_OIDC_STATE', 'the sign-in took too long; start again');
    return pending;
  }

  private server(id: number): Promise<oauth.AuthorizationServer> {
    let as = this.servers.get(id);
    if (!as) {
      const issuer = new URL(this.provider(id).issuer);
      as = oauth
        .discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: loopback(issuer), signal: AbortSignal.timeout(10_000) })
        .then((response) => oauth.processDiscoveryResponse(issuer, response));
      // A failed discovery is retried at the next sign-in.
      as.catch(() => this.servers.delete(id));
      this.servers.set(id, as);
    }
    return as;
  }
}
