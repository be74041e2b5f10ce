/**
 * Lakegate's own tokens: short-lived ES256 JWT access tokens (`typ: at+jwt`,
 * RFC 9068) and refresh tokens, signed with keys from a shared, encrypted
 * keyring so every replica issues and verifies the same tokens. Rotation
 * keeps older keys in the JWKS until they are retired, so live tokens keep
 * verifying across a rotation.
 */
import { randomUUID } from 'node:crypto';
import { type JWK, type JWTPayload, SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, decodeProtectedHeader, errors as joseErrors } from 'jose';
import type { Keyring } from '../../security/keyring.js';
import type { ActorClaim } from '../actor.js';

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

export const ACCESS_TOKEN_TYP = 'at+jwt';
export const REFRESH_TOKEN_TYP = 'lakegate-refresh+jwt';
export const AUDIENCE = 'lakegate';

/** Generator for the issuer keyring: a fresh P-256 key pair as a private JWK. */
export async function generateEs256Jwk(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return JSON.stringify(await exportJWK(privateKey));
}

export interface AccessTokenClaims {
  sub: string;
  /** The tenant the token acts in: the principal's, or the external issuer's for its users. */
  tenant: string;
  kind: 'service' | 'user';
  roles: string[];
  groups: string[];
  scope: string;
  clientId: string;
  act?: ActorClaim;
  /**
   * For a user: the issuer that vouched for the user's identity (a trusted
   * IdP's issuer URL, or ASSERTED_ISSUER for a name an engine asserted).
   * Access rules match users by (issuer, subject), so two IdPs' "alice"
   * never collide. Absent for service principals.
   */
  idp?: string;
}

export interface RefreshTokenClaims {
  sub: string;
  clientId: string;
  secretVersion: number;
  scope: string;
}

/**
 * The tenant of one of our verified tokens. Tokens minted before tenants
 * existed carry no claim; every principal then was in the default tenant.
 */
export function tenantClaim(claims: JWTPayload): string {
  return typeof claims.tenant === 'string' ? claims.tenant : 'default';
}

export class TokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenError';
  }
}

export class TokenIssuer {
  constructor(
    private readonly keys: Keyring,
    /** Resolved lazily: the server learns its own URL only once it listens. */
    private readonly issuer: () => string,
    private readonly accessTtlSeconds: number,
    private readonly refreshTtlSeconds: number,
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

  async mintAccessToken(c: AccessTokenClaims): Promise<{ token: string; expiresIn: number }> {
    const payload: JWTPayload = { kind: c.kind, tenant: c.tenant, roles: c.roles, groups: c.groups, scope: c.scope, client_id: c.clientId };
    if (c.act) payload.act = c.act;
    if (c.idp !== undefined) payload.idp = c.idp;
    return { token: await this.sign(payload, c.sub, ACCESS_TOKEN_TYP, this.accessTtlSeconds), expiresIn: this.accessTtlSeconds };
  }

  async mintRefreshToken(c: RefreshTokenClaims): Promise<string> {
    return this.sign({ client_id: c.clientId, sv: c.secretVersion, scope: c.scope }, c.sub, REFRESH_TOKEN_TYP, this.refreshTtlSeconds);
  }

  /** Verifies one of our own tokens of the given type; throws TokenError naming the reason. */
  async verify(token: string, typ: string): Promise<JWTPayload & { sub: string }> {
    if (token.length > 8192) throw new TokenError('token too large');
    let kid: string | undefined;
    let alg: string | undefined;
    try {
      ({ kid, alg } = decodeProtectedHeader(token));
    } catch {
      throw new TokenError('malformed token');
    }
    // Only ES256: "none", HS256-with-the-public-key and every other algorithm are refused before any key is used.
    if (alg !== 'ES256') throw new TokenError('unsupported algorithm');
    const key = kid ? await this.keys.find(kid) : undefined;
    if (!key) throw new TokenError('unknown signing key');
    try {
      const { payload } = await jwtVerify(token, await this.publicKey(key.kid, key.material), {
        algorithms: ['ES256'],
        issuer: this.issuer(),
        audience: AUDIENCE,
        typ,
        currentDate: new Date(this.now()),
        clockTolerance: 30,
      });
      if (typeof payload.sub !== 'string') throw new TokenError('token has no subject');
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

  private async sign(payload: JWTPayload, sub: string, typ: string, ttl: number): Promise<string> {
    const key = await this.keys.current();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ })
      .setIssuer(this.issuer())
      .setAudience(AUDIENCE)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setNotBefore(iat - 5)
      .setExpirationTime(iat + ttl)
      .setJti(randomUUID())
      .sign(await this.privateKey(key.kid, key.material));
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
