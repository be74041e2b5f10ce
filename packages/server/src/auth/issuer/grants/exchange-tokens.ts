/**
 * Reading the tokens of an RFC 8693 exchange: which types are accepted, and
 * what a subject or actor token says once verified. Every refusal here is
 * `invalid_request` (RFC 8693 §2.2.2: an invalid or unacceptable subject or
 * actor token), and the declared `*_token_type` must match the token:
 *
 * | declared type | accepted tokens |
 * | access_token  | our access tokens; an IdP's JWT access token (not one marked as an ID token, Keycloak `typ: ID`) |
 * | jwt           | our access tokens; an IdP's JWT; an unsigned JWT (Trino's USER sessions, assert-identity engines only) |
 * | id_token      | an IdP's ID token (not one marked as an access token, Keycloak `typ: Bearer`) |
 *
 * Anything else (refresh_token, SAML) is an unsupported type.
 */
import type { JWTPayload } from 'jose';
import type { ActorClaim } from '../../actor.js';
import type { Refusal, TokenState } from '../../token-state.js';
import type { GrantContext } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { type Scope, scopesOfClaim } from '../scopes.js';
import { audienceOf } from '../targets.js';
import { ACCESS_TOKEN_TYP, type Session, TokenError, sessionClaim, tenantClaim } from '../token-issuer.js';

export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const;
export type TokenType = (typeof TOKEN_TYPE)[keyof typeof TOKEN_TYPE];

const invalid = (why: string) => new OAuthError('invalid_request', why);

export function tokenType(value: string | null, which: 'subject_token_type' | 'actor_token_type'): TokenType {
  if (value === TOKEN_TYPE.accessToken || value === TOKEN_TYPE.jwt || value === TOKEN_TYPE.idToken) return value;
  throw invalid(`unsupported ${which}; this issuer accepts ${Object.values(TOKEN_TYPE).join(', ')}`);
}

/** One of our access tokens, verified and still good (not revoked, its principals active, its delegation standing). */
export interface OwnToken {
  claims: JWTPayload & { sub: string };
  tenant: string;
  kind: 'service' | 'user';
  clientId: string;
  groups: string[];
  roles: string[];
  scopes: Scope[];
  act?: ActorClaim;
  /** For a user: who vouched for the user. */
  idp?: string;
  session?: Session;
  aud?: string[];
}

export interface OwnTokenOptions {
  /** Accept a token expired at most this long ago (the client authenticated with its credential). */
  expiredUpToSeconds?: number;
  /** Return these refusals with the token instead of refusing it (the caller starts a new session anyway). */
  tolerate?: ReadonlyArray<Refusal['code']>;
}

/** Errors that mean "not signed by us" (another issuer's token): the caller tries other verifiers. */
const NOT_OURS = new Set(['unknown signing key', 'unsupported algorithm', 'token claim iss is not valid', 'malformed token']);

/**
 * Our access token, verified; undefined when the token is not ours at all; invalid_request when it is ours but
 * expired, tampered, of another kind (a refresh token), revoked or otherwise no longer good.
 */
export async function ownToken(
  ctx: { issuer: GrantContext['issuer']; state: TokenState },
  token: string,
  which: 'subject_token' | 'actor_token',
  options: OwnTokenOptions = {},
): Promise<(OwnToken & { tolerated?: Refusal }) | undefined> {
  let claims: JWTPayload & { sub: string };
  try {
    claims = await ctx.issuer.verify(token, ACCESS_TOKEN_TYP, { expiredUpToSeconds: options.expiredUpToSeconds ?? 0 });
  } catch (e) {
    if (!(e instanceof TokenError)) throw e; // the store, not the token (503)
    const reason = e.reason;
    if (NOT_OURS.has(reason)) return undefined;
    // One of ours, but expired, tampered or of another type: never fall through to other verifiers.
    throw invalid(reason === 'token claim typ is not valid' ? `${which} is not an access token` : `${which} rejected: ${reason}`);
  }
  const tenant = tenantClaim(claims);
  const refused = await ctx.state.refusal(claims, tenant);
  if (refused && !options.tolerate?.includes(refused.code)) throw invalid(`${which} is no longer valid: ${refused.reason}`);
  const kind = claims.kind === 'user' ? 'user' : 'service';
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const session = sessionClaim(claims);
  const aud = audienceOf(claims.aud, ctx.issuer.issuerId);
  return {
    claims,
    tenant,
    kind,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : claims.sub,
    groups: strings(claims.groups),
    roles: strings(claims.roles),
    scopes: scopesOfClaim(claims.scope),
    ...(claims.act !== undefined ? { act: claims.act as ActorClaim } : {}),
    ...(kind === 'user' && typeof claims.idp === 'string' ? { idp: claims.idp } : {}),
    // Tokens from before sessions existed: their session started when they were issued.
    session: session ?? { sid: '', authTime: typeof claims.iat === 'number' ? claims.iat : 0 },
    ...(aud ? { aud } : {}),
    ...(refused ? { tolerated: refused } : {}),
  };
}

/** The payload of an unsigned JWT (alg "none"), or undefined for anything else. */
export function unsignedPayload(token: string): { sub?: unknown } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2] !== '') return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    if (header.alg !== 'none') return undefined;
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub?: unknown };
  } catch {
    return undefined;
  }
}

/** An IdP's token must be of the declared type where the IdP says which it is (Keycloak's `typ` claim: "Bearer" or "ID"). */
export function checkExternalType(declared: TokenType, claims: JWTPayload): void {
  const typ = typeof claims.typ === 'string' ? claims.typ.toLowerCase() : undefined;
  if (declared === TOKEN_TYPE.accessToken && typ === 'id') throw invalid('subject_token is an ID token, not the declared access token');
  if (declared === TOKEN_TYPE.idToken && typ === 'bearer') throw invalid('subject_token is an access token, not the declared ID token');
}

/**
 * RFC 8693 §4.4 `may_act`: when the subject token names who may act for it, the actor must be that party. We
 * understand `{"sub": <our client id>}`, optionally with `"iss"` = this issuer (the claim as Keycloak's
 * delegation mapper writes it, with the engine's client id as the parameter). Undefined: no restriction.
 */
export function mayActAllows(mayAct: unknown, actorClientId: string, ownIssuer: string): boolean | undefined {
  if (mayAct === undefined) return undefined;
  if (typeof mayAct !== 'object' || mayAct === null || Array.isArray(mayAct)) return false;
  const { sub, iss } = mayAct as { sub?: unknown; iss?: unknown };
  return sub === actorClientId && (iss === undefined || iss === ownIssuer);
}
