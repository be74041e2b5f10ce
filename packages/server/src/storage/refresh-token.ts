/**
 * Storage refresh tokens: stateless, tamper-evident handles that let a
 * client refresh exactly one vended credential (seed 000's proposal). A
 * token is an HS256 JWS binding principal, tenant, warehouse, table,
 * prefix, mode and expiry; any replica verifies it with the shared keyring, so there is
 * no session table. Verification failures are reported by reason, never
 * with the token itself.
 */
import { SignJWT, errors as joseErrors, jwtVerify, decodeProtectedHeader } from 'jose';
import { CatalogError } from '../errors/catalog-error.js';
import type { Keyring } from '../security/keyring.js';
import type { RefreshClaims, RefreshTokenCodec } from '../catalog/ports/credentials.js';

const TYP = 'lakegate-storage-refresh+jwt';

export type { RefreshClaims } from '../catalog/ports/credentials.js';

export class StorageRefreshTokens implements RefreshTokenCodec {
  constructor(
    private readonly keyring: Keyring,
    private readonly lifetimeSeconds: number,
    private readonly now: () => number,
  ) {}

  async issue(claims: RefreshClaims): Promise<string> {
    const key = await this.keyring.current();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({
      tn: claims.tenant,
      wh: claims.warehouse,
      ns: claims.namespace,
      tbl: claims.table,
      ...(claims.tableUuid ? { tu: claims.tableUuid } : {}),
      ...(claims.principalKey !== undefined ? { pk: claims.principalKey } : {}),
      pfx: claims.prefix,
      mode: claims.mode,
    })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: TYP })
      .setSubject(claims.principal)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.lifetimeSeconds)
      .sign(key.key);
  }

  /** Verifies signature, type and expiry; throws ERR_BAD_REQUEST naming the reason. */
  async verify(token: string): Promise<RefreshClaims> {
    const bad = (why: string) => new CatalogError('ERR_BAD_REQUEST', `Invalid storage refresh token: ${why}`);
    if (token.length > 4096) throw bad('too long');
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw bad('malformed');
    }
    const key = kid ? await this.keyring.find(kid) : undefined;
    if (!key) throw bad('unknown or retired signing key');
    try {
      const { payload } = await jwtVerify(token, key.key, { algorithms: ['HS256'], typ: TYP, currentDate: new Date(this.now()) });
      const { sub, pk, tn, wh, ns, tbl, tu, pfx, mode } = payload as Record<string, unknown>;
      if (
        typeof sub !== 'string' ||
        (pk !== undefined && typeof pk !== 'string') ||
        (tn !== undefined && typeof tn !== 'string') ||
        (tu !== undefined && typeof tu !== 'string') ||
        typeof wh !== 'string' ||
        !Array.isArray(ns) ||
        ns.some((level) => typeof level !== 'string') ||
        typeof tbl !== 'string' ||
        typeof pfx !== 'string' ||
        (mode !== 'read' && mode !== 'read-write')
      ) {
        throw bad('missing claims');
      }
      // Tokens issued before tenants existed carry no tenant: every warehouse was in the default tenant then.
      return {
        principal: sub,
        principalKey: pk as string | undefined,
        tenant: typeof tn === 'string' ? tn : 'default',
        warehouse: wh,
        namespace: ns as string[],
        table: tbl,
        tableUuid: tu as string | undefined,
        prefix: pfx,
        mode,
      };
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw bad('expired');
      throw bad('signature or format check failed');
    }
  }
}
