/**
 * A grant type of the token endpoint. Built-in grants register through the
 * same registerGrant() that extensions use (as node-oidc-provider does).
 */
import type { AuditTrail } from '../audit.js';
import type { PrincipalService } from './principals.js';
import type { TokenIssuer } from './token-issuer.js';
import type { ServicePrincipal } from '../ports.js';
import type { FailureLimiter } from './failure-limiter.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  issued_token_type?: string;
  refresh_token?: string;
  scope?: string;
}

export interface GrantContext {
  params: URLSearchParams;
  /** Client credentials from HTTP Basic, if sent. */
  basic?: { clientId: string; clientSecret: string } | undefined;
  /** A bearer token sent in the Authorization header (Iceberg clients refresh by self-exchange this way). */
  bearer?: string | undefined;
  remoteAddress: string;
  issuer: TokenIssuer;
  principals: PrincipalService;
  audit: AuditTrail;
  limiter: FailureLimiter;
  /** Verifies a subject token from a trusted external issuer (OIDC federation); undefined when none is configured. */
  verifyExternal?: (token: string) => Promise<{ sub: string; groups: string[]; issuer: string; tenant: string } | undefined>;
}

export interface Grant {
  grantType: string;
  /** Parameters that must be present. */
  parameters: string[];
  handle(ctx: GrantContext): Promise<TokenResponse>;
}

export type { ServicePrincipal };
