/**
 * Lakegate's own tokens: short-lived ES256 JWT access tokens (`typ: at+jwt`,
 * RFC 9068) and refresh tokens, signed with keys from a shared, encrypted
 * keyring so every replica issues and verifies the same tokens. Rotation
 * keeps older keys in the JWKS until they are retired, so live tokens keep
 * verifying across a rotation.
 */
import { randomUUID } from 'node:crypto';
import {
  type JWK,
  type JWTPayload,
  SignJWT,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  decodeProtectedHeader,
  errors as joseErrors,
} from 'jose';
import type { Keyring } from '../../security/keyring.js';
import type { ActorClaim } from '../actor.js';
import { DEFAULT_AUDIENCE, audienceOf } from './targets.js';

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

export const ACCESS_TOKEN_TYP = 'at+jwt';
export const REFRESH_TOKEN_TYP = 'lakegate-refresh+jwt';
/** The audience of tokens issued without an `audience` or `resource` (all of this catalog). */
export const AUDIENCE = DEFAULT_AUDIENCE;

/** Generator for the issuer keyring: a fresh P-256 key pair as a private JWK. */
export async function generateEs256Jwk(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return JSON.stringify(await exportJWK(privateKey));
}

/**
 * A session: every token renewed (refreshed or self-exchanged) from one
 * authentication carries its id (`sid`) and its start (`auth_time`), so
 * that a session can be revoked as a whole and never outlives the maximum
 * session lifetime, however often its tokens are renewed.
 */
export interface Session {
  sid: string;
  /** When the authentication that started the session happened (epoch seconds). */
  authTime: number;
}

export interface AccessTokenClaims {
  sub: string;
  /** The tenant the token acts in: the principal's, or the external issuer's for its users. */
  tenant: string;
  kind: 'service' | 'user';
  roles: string[];
  groups: string[];
  scope: string;
  /** The principal the token is issued to: the subject itself, or the acting engine of a delegated token. */
  clientId: string;
  act?: ActorClaim;
  /**
   * For a user: the issuer that vouched for the user's identity (a trusted
   * IdP's issuer URL, or ASSERTED_ISSUER for a name an engine asserted).
   * Access rules match users by (issuer, subject), so two IdPs' "alice"
   * never collide. Absent for service principals.
   */
  idp?: string;
  session: Session;
  /**
   * A delegated token the engine obtained by authenticating with one of its access tokens: that token's session
   * (`actor_sid`), so that revoking it (RFC 7009) ends this session too. Absent when the engine used its credential.
   */
  actorSession?: string;
  /** The client's secret version when it authenticated: renewals stop once the secret is rotated. */
  secretVersion?: number;
  /** Requested audience/resource (all this catalog's); default "lakegate". */
  aud?: string[];
}

export interface RefreshTokenClaims {
  sub: string;
  clientId: string;
  tenant: string;
  secretVersion: number;
  scope: string;
  session: Session;
  /** Rotation: the generation this refresh token belongs to (0 for the first). */
  generation: number;
  aud?: string[];
}

/**
 * The tenant of one of our verified tokens. Tokens minted before tenants
 * existed carry no claim; every principal then was in the default tenant.
 */
export function tenantClaim(claims: JWTPayload): string {
  return typeof claims.tenant === 'string' ? claims.tenant : 'default';
}

/** The session of one of our verified tokens; tokens from before sessions existed started at their issuance. */
export function sessionClaim(claims: JWTPayload): Session | undefined {
  if (typeof claims.sid === 'string' && typeof claims.auth_time === 'number') return { sid: claims.sid, authTime: claims.auth_time };
  return undefined;
}

export class TokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenError';
  }
}

export interface TokenLifetimes {
  accessSeconds: number;
  refreshSeconds: number;
  /** No token of a session lives past its start plus this. */
  maxSessionSeconds: number;
}

export interface VerifyOptions {
  /** Accept a token that expired at most this many seconds ago (signature and every other claim still checked). */
  expiredUpToSeconds?: number;
}

export class TokenIssuer {
  constructor(
    private readonly keys: Keyring,
    /** Resolved lazily: the server learns its own URL only once it listens. */
    private readonly issuer: () => string,
    readonly lifetimes: TokenLifetimes,
    private readonly now: () => number,
  ) {}

  get issuerId(): string {
    return this.issuer();
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = await this.keys.all();
    return {
      keys: keys.map((k) => {
        const { d: _private, ...pub } = JSON.parse(k.material) as JWK;
        return { ...pub, kid: k.kid, alg: 'ES256', use: 'sig' };
      }),
    };
  }

  /** A new session starting now. */
  newSession(): Session {
    return { sid: randomUUID(), authTime: Math.floor(this.now() / 1000) };
  }

  /** When a session ends (epoch seconds). */
  sessionEnd(session: Session): number {
    return session.authTime + this.lifetimes.maxSessionSeconds;
  }

  /**
   * A renewal leaving less than this (seconds) of the session is refused, so that a client near the end of its
   * session authenticates again instead of renewing ever shorter tokens.
   */
  get minimumRenewal(): number {
    return Math.max(1, Math.min(60, Math.floor(this.lifetimes.accessSeconds / 10)));
  }

  /** Seconds left in a session. */
  sessionRemaining(session: Session): number {
    return this.sessionEnd(session) - Math.floor(this.now() / 1000);
  }

  async mintAccessToken(c: AccessTokenClaims): Promise<{ token: string; expiresIn: number }> {
    const payload: JWTPayload = {
      kind: c.kind,
      tenant: c.tenant,
      roles: c.roles,
      groups: c.groups,
      scope: c.scope,
      client_id: c.clientId,
      sid: c.session.sid,
      auth_time: c.session.authTime,
    };
    if (c.act) payload.act = c.act;
    if (c.idp !== undefined) payload.idp = c.idp;
    if (c.actorSession !== undefined) payload.actor_sid = c.actorSession;
    if (c.secretVersion !== undefined) payload.sv = c.secretVersion;
    return this.sign(payload, c.sub, ACCESS_TOKEN_TYP, this.lifetimes.accessSeconds, c.session, c.aud);
  }

  async mintRefreshToken(c: RefreshTokenClaims): Promise<string> {
    const payload = {
      client_id: c.clientId,
      tenant: c.tenant,
      sv: c.secretVersion,
      scope: c.scope,
      sid: c.session.sid,
      auth_time: c.session.authTime,
      gen: c.generation,
    };
    return (await this.sign(payload, c.sub, REFRESH_TOKEN_TYP, this.lifetimes.refreshSeconds, c.session, c.aud)).token;
  }

  /** Verifies one of our own tokens of the given type; throws TokenError naming the reason. */
  async verify(token: string, typ: string, options: VerifyOptions = {}): Promise<JWTPayload & { sub: string }> {
    if (token.length > 8192) throw new TokenError('token too large');
    let kid: string | undefined;
    let alg: string | undefined;
    let unverifiedExp: unknown;
    try {
      ({ kid, alg } = decodeProtectedHeader(token));
      unverifiedExp = decodeJwt(token).exp;
    } catch {
      throw new TokenError('malformed token');
    }
    // Only ES256: "none", HS256-with-the-public-key and every other algorithm are refused before any key is used.
    if (alg !== 'ES256') throw new TokenError('unsupported algorithm');
    const key = kid ? await this.keys.find(kid) : undefined;
    if (!key) throw new TokenError('unknown signing key');
    const nowSeconds = this.now() / 1000;
    // An expired token may be accepted (the caller authenticated otherwise): every check then runs as of just before its expiry.
    const allowance = options.expiredUpToSeconds ?? 0;
    const at =
      typeof unverifiedExp === 'number' && unverifiedExp <= nowSeconds && nowSeconds - unverifiedExp <= allowance ? (unverifiedExp - 1) * 1000 : this.now();
    try {
      const { payload } = await jwtVerify(token, await this.publicKey(key.kid, key.material), {
        algorithms: ['ES256'],
        issuer: this.issuer(),
        typ,
        currentDate: new Date(at),
        clockTolerance: 30,
        // RFC 9068 §2.2: exp, iat, sub are required (and a token that never expires is no token of ours).
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      if (typeof payload.sub !== 'string') throw new TokenError('token has no subject');
      if (audienceOf(payload.aud, this.issuer()) === undefined) throw new TokenError('token claim aud is not valid');
      return payload as JWTPayload & { sub: string };
    } catch (e) {
      if (e instanceof TokenError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw new TokenError('token expired');
      if (e instanceof joseErrors.JWTClaimValidationFailed) throw new TokenError(`token claim ${e.claim} is not valid`);
      throw new TokenError('token signature or format is not valid');
    }
  }

  /** Imported public keys, cached: verification runs on every request. */
  private readonly publicKeys = new Map<string, Promise<ImportedKey>>();

  private publicKey(kid: string, material: string): Promise<ImportedKey> {
    let key = this.publicKeys.get(kid);
    if (!key) {
      const { d: _private, ...pub } = JSON.parse(material) as JWK;
      key = importJWK(pub, 'ES256');
      this.publicKeys.set(kid, key);
    }
    return key;
  }

  private readonly privateKeys = new Map<string, Promise<ImportedKey>>();

  private async sign(
    payload: JWTPayload,
    sub: string,
    typ: string,
    ttl: number,
    session: Session,
    aud: string[] | undefined,
  ): Promise<{ token: string; expiresIn: number }> {
    const key = await this.keys.current();
    const iat = Math.floor(this.now() / 1000);
    // No token outlives its session.
    const exp = Math.min(iat + ttl, this.sessionEnd(session));
    if (exp <= iat) throw new TypeError('the session has ended: check sessionRemaining() before minting');
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ })
      .setIssuer(this.issuer())
      .setAudience(aud === undefined || aud.length === 0 ? AUDIENCE : aud.length === 1 ? aud[0]! : aud)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setNotBefore(iat - 5)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(await this.privateKey(key.kid, key.material));
    return { token, expiresIn: exp - iat };
  }

  private privateKey(kid: string, material: string): Promise<ImportedKey> {
    let key = this.privateKeys.get(kid);
    if (!key) {
      key = importJWK(JSON.parse(material) as JWK, 'ES256');
      this.privateKeys.set(kid, key);
    }
    return key;
  }
}
