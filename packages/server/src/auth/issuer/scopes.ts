/**
 * The scopes our issuer grants, and what each allows (RFC 6749 §3.3). Every
 * requested scope is checked against this set (an unknown one is
 * `invalid_scope`), written to the token's `scope` claim and enforced on
 * every request: the catalog's access rules (catalog/access) refuse a token
 * everything its scope does not cover, whatever the caller's grants say.
 *
 * | scope          | catalog reads | catalog writes | management API |
 * | `catalog`      | yes           | yes            | yes (admins, grant managers) |
 * | `catalog:read` | yes           | no             | no             |
 * | `management`   | no            | no             | yes            |
 *
 * `catalog` is what Iceberg clients ask for by default, so it keeps covering
 * everything a caller's grants allow, the management API included.
 * Renewals and exchanges may narrow a token's scope, never widen it.
 *
 * Compatibility alias: `PRINCIPAL_ROLE:ALL` (Apache Polaris's scope, which
 * DuckDB's iceberg extension requests by default and cannot be told not to
 * in its OAuth2 secret) is read as `catalog`; the token and the response's
 * `scope` say `catalog` (RFC 6749 §3.3: the server names the scope granted
 * when it differs from the request). Likewise `sign`, which Iceberg Java's S3
 * remote signer client (S3V4RestSignerClient) requests when it fetches a token
 * of its own with the catalog's credential: its token reaches the sign
 * operation, whose reads and writes the caller's grants decide as always.
 * Any other scope stays `invalid_scope`.
 */
import { OAuthError } from './oauth-error.js';

export const SCOPES = ['catalog', 'catalog:read', 'management'] as const;
export type Scope = (typeof SCOPES)[number];
export const DEFAULT_SCOPE: Scope = 'catalog';

/** What a set of scopes allows. */
export interface ScopeRights {
  read: boolean;
  write: boolean;
  management: boolean;
}

const RIGHTS: Record<Scope, ScopeRights> = {
  catalog: { read: true, write: true, management: true },
  'catalog:read': { read: true, write: false, management: false },
  management: { read: false, write: false, management: true },
};

const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

/**
 * Scopes other catalogs' clients send by default, and the scope of ours each stands for. A Map: a requested scope is
 * the client's string, and an object would answer `constructor` or `toString` with Object's member (before: a 500).
 */
export const SCOPE_ALIASES: ReadonlyMap<string, Scope> = new Map([
  ['PRINCIPAL_ROLE:ALL', 'catalog'],
  ['sign', 'catalog'],
]);

/** A requested `scope` parameter: undefined when absent or empty (then the default applies); invalid_scope for anything unknown. */
export function parseScope(raw: string | null | undefined): Scope[] | undefined {
  const parts = (raw ?? '')
    .split(' ')
    .filter((s) => s.length > 0)
    .map((s) => SCOPE_ALIASES.get(s) ?? s);
  if (parts.length === 0) return undefined;
  const unknown = parts.filter((s) => !isScope(s));
  if (unknown.length > 0)
    throw new OAuthError(
      'invalid_scope',
      `unknown scope ${unknown.map((s) => JSON.stringify(s.slice(0, 40))).join(', ')}; this issuer grants ${SCOPES.join(', ')}`,
    );
  return [...new Set(parts as Scope[])];
}

/** The scopes of one of our tokens (its `scope` claim); unknown entries, e.g. in tokens from before scopes were checked, count for nothing. */
export function scopesOfClaim(claim: unknown): Scope[] {
  return typeof claim === 'string' ? [...new Set(claim.split(' ').filter(isScope))] : [];
}

export function rightsOf(scopes: readonly string[]): ScopeRights {
  const out: ScopeRights = { read: false, write: false, management: false };
  for (const s of scopes) {
    if (!isScope(s)) continue;
    const r = RIGHTS[s];
    out.read ||= r.read;
    out.write ||= r.write;
    out.management ||= r.management;
  }
  return out;
}

/** True when `held` allows everything `requested` does. */
export function covers(held: readonly string[], requested: readonly string[]): boolean {
  const h = rightsOf(held);
  const r = rightsOf(requested);
  return (!r.read || h.read) && (!r.write || h.write) && (!r.management || h.management);
}

/**
 * The scope of a token derived from a token holding `held` (a renewal, or
 * an exchange bounded by its actor): what was requested if `held` covers
 * it (invalid_scope otherwise), else `held` itself.
 */
export function narrowed(held: readonly Scope[], requested: readonly Scope[] | undefined): Scope[] {
  if (requested === undefined) return [...held];
  if (!covers(held, requested)) throw new OAuthError('invalid_scope', `the requested scope exceeds the scope granted (${held.join(' ') || 'none'})`);
  return [...requested];
}

/** The scopes allowing exactly what both sets allow. */
export function intersect(a: readonly string[], b: readonly string[]): Scope[] {
  const x = rightsOf(a);
  const y = rightsOf(b);
  const read = x.read && y.read;
  const write = x.write && y.write;
  const management = x.management && y.management;
  if (read && write && management) return ['catalog'];
  return [...(read ? (['catalog:read'] as const) : []), ...(management ? (['management'] as const) : [])];
}

export const formatScope = (scopes: readonly string[]): string => scopes.join(' ');
