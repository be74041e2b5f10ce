/**
 * A grant type of the token endpoint. Built-in grants register through the
 * same registerGrant() that extensions use (as node-oidc-provider does).
 */
import type { JWTPayload } from 'jose';
import type { AuditTrail } from '../audit.js';
import type { ServicePrincipal } from '../ports.js';
import type { TokenState } from '../token-state.js';
import type { PresentedClient } from './client-auth.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { PrincipalService } from './principals.js';
import type { TokenIssuer } from './token-issuer.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  issued_token_type?: string;
  refresh_token?: string;
  scope?: string;
}

/** A subject token from a trusted external issuer, verified. */
export interface ExternalSubject {
  sub: string;
  groups: string[];
  issuer: string;
  tenant: string;
  /** Its verified claims (for `typ`, `act`, `may_act`). */
  claims: JWTPayload;
}

export interface IssuerOptions {
  /** Issue a refresh token with client_credentials (RFC 6749 §4.4.3 says it should not; off by default). */
  clientCredentialsRefreshTokens: boolean;
}

/** What every OAuth endpoint of the issuer works with. */
export interface IssuerDeps {
  issuer: TokenIssuer;
  principals: PrincipalService;
  state: TokenState;
  audit: AuditTrail;
  limiter: FailureLimiter;
  /** Verifies a subject token from a trusted external issuer (OIDC federation); undefined when none is configured. */
  verifyExternal?: ((token: string) => Promise<ExternalSubject | undefined>) | undefined;
  options: IssuerOptions;
}

/** One request to an OAuth endpoint of the issuer. */
export interface OAuthRequest {
  params: URLSearchParams;
  /** The Authorization header as received (Basic client credentials, or a Bearer token). */
  authorization?: string | undefined;
  remoteAddress: string;
}

export interface GrantContext extends IssuerDeps {
  params: URLSearchParams;
  /** How the client authenticated (RFC 6749 §2.3), as presented; each grant checks what it requires. */
  client: PresentedClient;
  remoteAddress: string;
}

export interface Grant {
  grantType: string;
  /** Parameters that must be present. */
  parameters: string[];
  /** Parameters that may appear more than once (RFC 8693 and RFC 8707 allow several `audience` and `resource`). */
  repeatable?: string[];
  handle(ctx: GrantContext): Promise<TokenResponse>;
}

export type { ServicePrincipal };
