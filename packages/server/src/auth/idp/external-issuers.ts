/**
 * Trusted external OIDC issuers (Keycloak, Entra ID, Okta, …). Each has its
 * own discovery, a JWKS cache (jose's remote key set: refetched when a token
 * names an unknown `kid`, at most once per cooldown, so a flood of forged
 * kids cannot hammer the IdP), an expected audience, a clock-skew allowance
 * and a claim mapping (which claim is the subject, which lists groups).
 * Each issuer maps to one tenant: all users of one IdP belong to it.
 * Only asymmetric algorithms are accepted.
 */
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { DEFAULT_TENANT, checkTenant } from '../../catalog/tenants.js';

export const TrustedIssuerSchema = z.object({
  issuer: z.string().url(),
  audience: z.string().min(1),
  /** Claim that names the user (default sub; Keycloak users are more readable as preferred_username). */
  'subject-claim': z.string().min(1).default('sub'),
  'groups-claim': z.string().min(1).default('groups'),
  'clock-skew-seconds': z.number().int().min(0).max(300).default(30),
  /** Skip discovery and use this JWKS URL. */
  'jwks-uri': z.string().url().optional(),
  /** The tenant every user of this IdP belongs to. */
  tenant: z
    .string()
    .default(DEFAULT_TENANT)
    .superRefine((t, ctx) => {
      try {
        checkTenant(t);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'invalid tenant' });
      }
    }),
});
export const TrustedIssuersSchema = z.array(TrustedIssuerSchema);
export type TrustedIssuer = z.infer<typeof TrustedIssuerSchema>;

export interface ExternalIdentity {
  sub: string;
  groups: string[];
  issuer: string;
  tenant: string;
  /** The verified claims (token exchange reads `typ`, `act` and `may_act`). */
  claims: JWTPayload;
}

/** `typ` claims of tokens an IdP signs that are not access tokens (Keycloak's names). */
const NOT_ACCESS_TOKENS = new Set(['id', 'refresh', 'offline', 'logout']);
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

export class ExternalIssuers {
  private readonly keySets = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(private readonly issuers: TrustedIssuer[]) {}

  get configured(): boolean {
    return this.issuers.length > 0;
  }

  /** The tenant whose users the issuer vouches for; undefined for an issuer that is not trusted. */
  tenantOf(issuer: string): string | undefined {
    return this.issuers.find((i) => i.issuer === issuer)?.tenant;
  }

  /** The issuer config for a token's `iss`, without verifying anything yet. */
  issuerOf(token: string): TrustedIssuer | undefined {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    return this.issuers.find((i) => i.issuer === iss);
  }

  /**
   * Verifies a token from a trusted issuer; undefined when its issuer is not trusted; throws when it is but the token is
   * bad. `asAccessToken`: it is presented as an access token (Bearer, a sign-in's access token), so one the IdP marks as
   * another kind is refused; a token exchange checks the declared type itself (exchange-tokens.ts checkExternalType).
   */
  async verify(token: string, asAccessToken = false): Promise<ExternalIdentity | undefined> {
    const trusted = this.issuerOf(token);
    if (!trusted) return undefined;
    const { payload } = await jwtVerify(token, await this.keySet(trusted), {
      issuer: trusted.issuer,
      audience: trusted.audience,
      algorithms: ALGORITHMS,
      clockTolerance: trusted['clock-skew-seconds'],
      // A token that never expires is not accepted from anyone (RFC 9068 §2.2).
      requiredClaims: ['exp'],
    });
    // jose checks iat only against a maximum age: a token stamped as issued in the future (beyond the skew) is not one
    // this issuer made now, whatever its exp says.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + trusted['clock-skew-seconds'])
      throw new Error('the token was issued in the future');
    // An IdP's ID or refresh token is signed with the same keys but is no access token (RFC 9068 §4; Keycloak marks
    // its tokens with a typ claim: Bearer for access tokens, ID, Refresh, Offline, Logout for the others).
    if (asAccessToken && typeof payload.typ === 'string' && NOT_ACCESS_TOKENS.has(payload.typ.toLowerCase()))
      throw new Error(`a ${payload.typ} token is not an access token`);
    const sub = payload[trusted['subject-claim']];
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw new Error(`claim ${trusted['subject-claim']} is missing`);
    const rawGroups = payload[trusted['groups-claim']];
    const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string').map((g) => g.replace(/^\//, '')) : [];
    return { sub, groups, issuer: trusted.issuer, tenant: trusted.tenant, claims: payload };
  }

  private keySet(trusted: TrustedIssuer): Promise<JWTVerifyGetKey> {
    let set = this.keySets.get(trusted.issuer);
    if (!set) {
      set = (async () => {
        let jwksUri = trusted['jwks-uri'];
        if (!jwksUri) {
          const res = await fetch(`${trusted.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
          if (!res.ok) throw new Error(`discovery of ${trusted.issuer} failed with ${res.status}`);
          const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
          if (doc.issuer !== trusted.issuer || !doc.jwks_uri) throw new Error(`discovery of ${trusted.issuer} returned another issuer or no jwks_uri`);
          jwksUri = doc.jwks_uri;
        }
        return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
      })();
      // A failed discovery is retried on the next token rather than cached forever.
      set.catch(() => this.keySets.delete(trusted.issuer));
      this.keySets.set(trusted.issuer, set);
    }
    return set;
  }
}
