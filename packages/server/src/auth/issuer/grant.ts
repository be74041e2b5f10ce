/**
 * A grant type of the token endpoint. Built-in grants register through the
 * same registerGrant() that extensions use (as node-oidc-provider does).
 */
import type { ServicePrincipal } from '../ports.js';
import type { PresentedClient } from './client-auth.js';
import type { IssuerDeps } from './issuer-deps.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  issued_token_type?: string;
  refresh_token?: string;
  scope?: string;
}

export type { IssuerDeps } from './issuer-deps.js';

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
