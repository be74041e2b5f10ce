/**
 * Who may call (app.ts's identity step): the token issuer and its grants, service principals (the admin
 * bootstrapped on first start), trusted external issuers, token state, the audit trail, machine keys and the
 * failure limiter; then the authentication chain every surface uses, once the console's sessions exist.
 */
import type { Logger } from 'pino';
import type { Clock, Coherence } from '../catalog/ports/index.js';
import type { Spans } from '../catalog/ports/tracing.js';
import type { LakegateConfig } from '../config/config.js';
import type { LakegateStore } from '../store.js';
import type { SecretBox } from '../security/secret-box.js';
import { Keyring } from '../security/keyring.js';
import { AuditTrail } from '../auth/audit.js';
import { AuthenticatorChain } from '../auth/authn/authenticator.js';
import { JwtAuthenticator } from '../auth/authn/jwt-authenticator.js';
import { ApiKeyAuthenticator } from '../auth/authn/api-key-authenticator.js';
import { SigV4Authenticator } from '../auth/authn/sigv4-authenticator.js';
import { SessionAuthenticator } from '../auth/authn/session-authenticator.js';
import { MachineKeys } from '../auth/credentials-keys.js';
import { ExternalIssuers } from '../auth/idp/external-issuers.js';
import { DEFAULT_FAILURE_LIMITS, FailureLimiter } from '../auth/issuer/failure-limiter.js';
import { clientCredentialsGrant } from '../auth/issuer/grants/client-credentials.js';
import { refreshTokenGrant } from '../auth/issuer/grants/refresh-token.js';
import { tokenExchangeGrant } from '../auth/issuer/grants/token-exchange.js';
import { PrincipalService } from '../auth/issuer/principals.js';
import { TokenEndpoint } from '../auth/issuer/token-endpoint.js';
import { TokenIssuer, generateEs256Jwk } from '../auth/issuer/token-issuer.js';
import { TokenState } from '../auth/token-state.js';
import { bareGroups } from '../auth/delegation-policy.js';
import type { ConsoleSessions } from '../auth/sessions/console-sessions.js';
import type { AuthenticationOptions } from '../http/plugins/authenticate.js';
import { parseTrustedIssuers } from './trusted-issuers.js';
import { AuditThread, auditThreadEntry } from './audit-thread.js';
import { sqliteFile } from './store.js';

export interface ComposedIdentity {
  issuer: TokenIssuer;
  issuerId: () => string;
  principals: PrincipalService;
  external: ExternalIssuers;
  tokenState: TokenState;
  audit: AuditTrail;
  /** Where the trail's batches are written on SQLite (compose/audit-thread.ts); undefined: by the store, on this thread (PostgreSQL: its client is asynchronous already). */
  auditThread: AuditThread | undefined;
  tokenEndpoint: TokenEndpoint;
  machineKeys: MachineKeys;
  limiter: FailureLimiter;
  /** Where the first start wrote the admin's credentials, if this start created them. */
  adminCredentialsFile: string | undefined;
}

/** Delegation policies stored before issuers were recorded may hold bare group names, which match nothing now. */
async function warnAboutBareGroups(principals: PrincipalService, logger: Logger): Promise<void> {
  for (const p of await principals.list()) {
    const groups = bareGroups(p.delegation);
    if (groups.length > 0) {
      logger.warn(
        { clientId: p.clientId, groups },
        'delegation policy names groups without their issuer; they match no user until set again with {"issuer", "name"} (docs/security.md)',
      );
    }
  }
}

export async function createIdentity(
  config: LakegateConfig,
  c: { store: LakegateStore; box: SecretBox; clock: Clock; coherence: Coherence; logger: Logger; publicUrl: () => string },
): Promise<ComposedIdentity> {
  const { store, box, clock, coherence, logger } = c;
  const issuer = new TokenIssuer(
    new Keyring('issuer-es256', store, box, clock, generateEs256Jwk),
    c.publicUrl,
    { accessSeconds: config.accessTokenTtlSeconds, refreshSeconds: config.refreshTokenTtlSeconds, maxSessionSeconds: config.maxSessionLifetimeSeconds },
    () => clock.now(),
  );
  // A change of a principal made through this process is seen by its token checks at once (other replicas: identityCacheSeconds).
  const principals = new PrincipalService(
    store.identity,
    () => clock.now(),
    () => tokenState.forgetPrincipals(),
  );
  const external = new ExternalIssuers(parseTrustedIssuers(config.trustedIssuers));
  const tokenState = new TokenState({
    identity: store.identity,
    issuerId: () => issuer.issuerId,
    trustedIssuerTenant: (iss) => external.tenantOf(iss),
    now: () => clock.now(),
    cacheTtlMs: config.identityCacheSeconds * 1000,
    coherence,
  });
  await warnAboutBareGroups(principals, logger);
  const auditLogger = logger.child({ component: 'audit' });
  const auditThread = auditThreadOf(config, (message, detail) => auditLogger.warn(detail, message));
  const audit = new AuditTrail(auditThread ?? store.identity, auditLogger, () => clock.now());
  const tokenEndpoint = new TokenEndpoint();
  for (const grant of [clientCredentialsGrant, refreshTokenGrant, tokenExchangeGrant]) tokenEndpoint.registerGrant(grant);
  const adminCredentialsFile = await principals.bootstrapAdmin(config.dataDir, 'v1/oauth/tokens');
  if (adminCredentialsFile)
    logger.warn({ file: adminCredentialsFile }, 'created the admin service principal; its client id and secret are in this file (mode 0600)');
  if (config.auth === 'disabled') logger.warn('authentication is DISABLED: every request is anonymous; use this for local development only');
  const machineKeys = new MachineKeys(store.identity, box, () => clock.now(), { ttlMs: config.keyCacheSeconds * 1000, coherence });
  const issuerId = () => issuer.issuerId;
  const limiter = new FailureLimiter(DEFAULT_FAILURE_LIMITS, () => clock.now(), coherence);
  return { issuer, issuerId, principals, external, tokenState, audit, auditThread, tokenEndpoint, machineKeys, limiter, adminCredentialsFile };
}

/** On SQLite, the audit batches' writer thread, once its module is built (from the sources without dist/: the store writes them, on this thread). */
function auditThreadOf(config: LakegateConfig, warn: (message: string, detail: Record<string, unknown>) => void): AuditThread | undefined {
  if (config.database) return undefined;
  const entry = auditThreadEntry();
  if (!entry) {
    warn('the audit thread module is not built; writing the audit trail on the main thread', {});
    return undefined;
  }
  return new AuditThread({ file: sqliteFile(config), graceMs: config.shutdownGraceSeconds * 1000, warn, entry });
}

/** What every authenticated surface is given: the chain, whether a caller must be authenticated, spans. */
export function createAuthentication(
  config: LakegateConfig,
  id: ComposedIdentity,
  sessions: ConsoleSessions,
  clock: Clock,
  spans: Spans | undefined,
): AuthenticationOptions {
  const { issuer, tokenState, external, machineKeys, principals, issuerId } = id;
  const chain = new AuthenticatorChain([
    new JwtAuthenticator(issuer, tokenState, external, () => clock.now()),
    new SigV4Authenticator(
      machineKeys,
      principals,
      { service: config.sigv4SigningName, region: config.sigv4Region, clockSkewMs: 15 * 60_000 },
      () => clock.now(),
      issuerId,
    ),
    new ApiKeyAuthenticator(machineKeys, principals, issuerId),
    // Last: a request with a bearer token, a signature or an API key is never authenticated by a cookie.
    new SessionAuthenticator(sessions),
  ]);
  return { chain, required: config.auth === 'required', spans };
}
