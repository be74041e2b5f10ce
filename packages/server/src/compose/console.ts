/**
 * The web console's parts, from configuration: where its build is, its OIDC sign-in providers (each must be a
 * trusted issuer), and the session service whose authenticator joins the chain of the API surfaces.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditTrail } from '../auth/audit.js';
import type { ExternalIssuers } from '../auth/idp/external-issuers.js';
import type { FailureLimiter } from '../auth/issuer/failure-limiter.js';
import type { PrincipalService } from '../auth/issuer/principals.js';
import { ConsoleSessions } from '../auth/sessions/console-sessions.js';
import { ConsoleOidcSchema, OidcLogin, type ConsoleOidcProvider } from '../auth/sessions/oidc-login.js';
import type { Clock } from '../catalog/ports/index.js';
import type { LakegateStore } from '../store.js';
import { ConfigError, type LakegateConfig } from '../config/config.js';
import type { SecretBox } from '../security/secret-box.js';

/**
 * The console's build: in the repository, the console package's beside this one (packages/server/{src,dist} →
 * packages/console/dist); in an installed @lakegate/server, the copy its prepack bundled (scripts/bundle-console.mjs).
 */
export function defaultConsoleDir(): string {
  const inRepository = fileURLToPath(new URL('../../../console/dist', import.meta.url));
  if (existsSync(path.join(inRepository, 'index.html'))) return inRepository;
  return fileURLToPath(new URL('../../console', import.meta.url));
}

function parseConsoleOidc(raw: string, external: ExternalIssuers): ConsoleOidcProvider[] {
  if (!raw.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError('consoleOidc must be a JSON list');
  }
  const parsed = ConsoleOidcSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`consoleOidc: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const p of parsed.data)
    if (external.tenantOf(p.issuer) === undefined) throw new ConfigError(`consoleOidc: ${p.issuer} is not one of the trusted issuers (trustedIssuers)`);
  return parsed.data;
}

export interface ConsoleParts {
  dir: string;
  sessions: ConsoleSessions;
  oidc: OidcLogin | undefined;
}

export function createConsole(
  config: LakegateConfig,
  deps: {
    store: LakegateStore;
    principals: PrincipalService;
    audit: AuditTrail;
    limiter: FailureLimiter;
    external: ExternalIssuers;
    box: SecretBox;
    clock: Clock;
    issuer: () => string;
  },
): ConsoleParts {
  const providers = parseConsoleOidc(config.consoleOidc, deps.external);
  const now = () => deps.clock.now();
  return {
    dir: config.consoleDir || defaultConsoleDir(),
    sessions: new ConsoleSessions({
      sessions: deps.store.sessions,
      principals: deps.principals,
      audit: deps.audit,
      limiter: deps.limiter,
      ttlSeconds: config.consoleSessionTtlSeconds,
      issuer: deps.issuer,
      trustedIssuerTenant: (iss) => deps.external.tenantOf(iss),
      now,
    }),
    oidc: providers.length ? new OidcLogin(providers, deps.external, deps.box, now) : undefined,
  };
}
