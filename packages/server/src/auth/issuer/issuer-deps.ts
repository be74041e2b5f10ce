/** What every OAuth endpoint of the issuer works with (kept apart so client authentication and grants share it without a cycle). */
import type { JWTPayload } from 'jose';
import type { AuditTrail } from '../audit.js';
import type { TokenState } from '../token-state.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { PrincipalService } from './principals.js';
import type { TokenIssuer } from './token-issuer.js';

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
