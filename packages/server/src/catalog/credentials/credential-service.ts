/**
 * Vended storage credentials for tables, committed or staged, in the mode
 * the caller's privileges allow (decided by the table operations through
 * catalog/access before they ask here). Reuses a live credential per
 * (principal, table uuid, prefix, mode) for at most half its remaining life (capped),
 * makes concurrent misses share one call to the cloud, attaches a storage
 * refresh token so the client can refresh exactly this credential later
 * through loadCredentials, and records every hand-out in the audit trail
 * (never a secret).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../ports/scope.js';
import { formatIdentifier, type TableIdentifier } from '../identifiers.js';
import { normalizeLocation } from '../locations.js';
import type { AccessAudit, Caller, Clock, Warehouse } from '../ports/index.js';
import { FILE_IO_FAMILIES } from '../ports/storage-kinds.js';
import {
  type AccessMode,
  type CredentialVendor,
  type RefreshClaims,
  type RefreshTokenCodec,
  type SealedObjects,
  type StorageCredentialEntry,
  type VendedCredential,
  isCredentialExpiryKey,
} from '../ports/credentials.js';
import { type Spans, noSpans } from '../ports/tracing.js';

export type { StorageCredentialEntry } from '../ports/credentials.js';

export interface VendedForTable {
  /** Properties for the table's FileIO (LoadTableResult.config). */
  config: Record<string, string>;
  storageCredentials: StorageCredentialEntry[];
}

export interface VendingMetrics {
  hit(): void;
  miss(): void;
  failure(): void;
  latency(seconds: number): void;
}

export interface CredentialServiceDeps {
  /** The vendor for a warehouse's storage profile; undefined when its storage needs no credentials (local files). */
  vendorFor(warehouse: Warehouse): Promise<CredentialVendor | undefined>;
  tokens: RefreshTokenCodec;
  clock: Clock;
  audit: AccessAudit;
  metrics: VendingMetrics;
  /** Upper bound on how long a vended credential is reused from the cache. */
  maxCacheSeconds: number;
  lifetimeSeconds: number;
  /**
   * When > 0, the expiry reported to clients is at most this many seconds
   * away (the credential itself stays valid longer). Makes clients refresh
   * early: used to prove refresh paths in tests, and by operators who want
   * clients to pick up revocations sooner.
   */
  reportedLifetimeSeconds?: number;
  /** A `vend credentials` span per vending when tracing is on (the mode and whether it was cached; never the credential). */
  spans?: Spans | undefined;
}

interface CacheEntry {
  credential: VendedCredential;
  reuseUntilMs: number;
}

const MAX_CACHE_ENTRIES = 10_000;

export class CredentialService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<VendedCredential>>();

  constructor(private readonly deps: CredentialServiceDeps) {}

  /**
   * Credentials for a table's location in the given mode, with their storage
   * refresh token. `tableUuid` binds the token to this exact table (staged
   * or committed); `refreshed` says whether this answers a refresh.
   */
  async forTable(request: {
    scope: RequestScope;
    identifier: TableIdentifier;
    tableUuid: string;
    location: string;
    mode: AccessMode;
    refreshed?: boolean;
    /** Objects a read-write credential must not write (VendRequest.sealed): a table of catalog-managed Lance versions. */
    sealed?: SealedObjects | undefined;
  }): Promise<VendedForTable> {
    const { scope, identifier, mode } = request;
    const vendor = await this.deps.vendorFor(scope.warehouse);
    if (!vendor) return { config: {}, storageCredentials: [] };
    const principal = scope.caller.description;
    const location = normalizeLocation(request.location);
    const credential = await (this.deps.spans ?? noSpans).run('vend credentials', (span) => {
      if (span.recording) {
        span.set('lakegate.credentials.mode', mode);
        span.set('lakegate.credentials.refresh', request.refreshed === true);
      }
      return this.cached(vendor, scope.warehouse.name, request.tableUuid, location, mode, scope.caller, request.sealed);
    });
    const token = await this.refreshToken(credential, {
      principal,
      principalKey: scope.caller.key,
      tenant: scope.warehouse.tenant,
      warehouse: scope.warehouse.name,
      namespace: identifier.namespace,
      table: identifier.name,
      tableUuid: request.tableUuid,
      prefix: credential.prefix,
      mode,
    });
    const endpoint = refreshEndpoint(scope.warehouse.name, identifier);
    const config = { ...this.reportedExpiry(credential.config), ...refreshConfigKeys(credential.config, endpoint) };
    await this.deps.audit.record(scope.caller, {
      type: request.refreshed ? 'credentials.refreshed' : 'credentials.vended',
      decision: 'allow',
      action: mode === 'read-write' ? 'table:write-data' : 'table:read-data',
      object: `${scope.warehouse.name}/${formatIdentifier(identifier.namespace, identifier.name)}`,
      detail: { prefix: credential.prefix, mode, expiresAtMs: credential.expiresAtMs },
    });
    return { config, storageCredentials: [{ prefix: credential.prefix, config, 'storage-refresh-token': token }] };
  }

  /** Checks a storage refresh token and that it was issued for this table, in this tenant, to this caller; returns its claims. */
  async verifyRefreshToken(scope: RequestScope, identifier: TableIdentifier, token: string): Promise<RefreshClaims> {
    const claims = await this.deps.tokens.verify(token);
    if (
      claims.warehouse !== scope.warehouse.name ||
      formatIdentifier(claims.namespace, claims.table) !== formatIdentifier(identifier.namespace, identifier.name)
    ) {
      throw new CatalogError('ERR_BAD_REQUEST', 'Invalid storage refresh token: it was issued for another table');
    }
    // The tenant check keeps a token valid only in the tenant it was issued in, even were a warehouse name ever to change hands.
    // Bound to the caller's stable identity (issuer and subject) and to its description (the acting engine); a token
    // issued before the identity was bound names the description only, until it expires.
    const otherIdentity = claims.principalKey !== undefined && claims.principalKey !== scope.caller.key;
    if (otherIdentity || claims.principal !== scope.caller.description || claims.tenant !== scope.warehouse.tenant) {
      throw new CatalogError('ERR_BAD_REQUEST', 'Invalid storage refresh token: it was issued to another principal');
    }
    return claims;
  }

  /** Storage refresh tokens for cached credentials are reused with them instead of being signed again per request. */
  private readonly tokenCache = new WeakMap<VendedCredential, Map<string, Promise<string>>>();

  private refreshToken(credential: VendedCredential, claims: RefreshClaims): Promise<string> {
    let byTable = this.tokenCache.get(credential);
    if (!byTable) {
      byTable = new Map();
      this.tokenCache.set(credential, byTable);
    }
    const key = refreshClaimsKey(claims);
    let token = byTable.get(key);
    if (!token) {
      token = this.deps.tokens.issue(claims);
      token.catch(() => byTable.delete(key));
      byTable.set(key, token);
    }
    return token;
  }

  /**
   * Per vendor (generationOf), caller (its stable identity and its description, the acting engine included), warehouse,
   * table (its uuid: a table dropped and created again at the same location is another table), mode and location.
   */
  private async cached(
    vendor: CredentialVendor,
    warehouse: string,
    tableUuid: string,
    location: string,
    mode: AccessMode,
    caller: Caller,
    sealed: SealedObjects | undefined,
  ): Promise<VendedCredential> {
    const principal = caller.description;
    // Sealed or not is part of the key: a table's credential from before it was sealed is never served for it after.
    const key = JSON.stringify([this.generationOf(vendor), warehouse, tableUuid, caller.key, principal, mode, location, sealed ?? null]);
    const now = this.deps.clock.now();
    const hit = this.cache.get(key);
    if (hit && now < hit.reuseUntilMs) {
      this.deps.metrics.hit();
      return hit.credential;
    }
    const running = this.inflight.get(key);
    if (running) {
      this.deps.metrics.hit();
      return running;
    }
    this.deps.metrics.miss();
    const started = process.hrtime.bigint();
    const call = vendor
      .vend({ location, mode, principal, lifetimeSeconds: this.deps.lifetimeSeconds, ...(sealed ? { sealed } : {}) })
      .then((credential) => {
        const fetchedAt = this.deps.clock.now();
        const reuse = Math.min((credential.expiresAtMs - fetchedAt) / 2, this.deps.maxCacheSeconds * 1000);
        if (this.cache.size >= MAX_CACHE_ENTRIES) this.evictExpired(fetchedAt);
        if (reuse > 0 && this.cache.size < MAX_CACHE_ENTRIES) this.cache.set(key, { credential, reuseUntilMs: fetchedAt + reuse });
        return credential;
      })
      .catch((e: unknown) => {
        this.deps.metrics.failure();
        throw e;
      })
      .finally(() => {
        this.inflight.delete(key);
        this.deps.metrics.latency(Number(process.hrtime.bigint() - started) / 1e9);
      });
    this.inflight.set(key, call);
    return call;
  }

  /**
   * Which vendor a cached credential came from: a warehouse's vendor is built anew when its storage profile or secret
   * changes (storage/warehouse-storage.ts), and a credential of the old one (another endpoint, key or role) must not
   * be served after the change. The old entries age out or are evicted.
   */
  private readonly vendors = new WeakMap<CredentialVendor, number>();
  private nextVendor = 0;

  private generationOf(vendor: CredentialVendor): number {
    let n = this.vendors.get(vendor);
    if (n === undefined) this.vendors.set(vendor, (n = this.nextVendor++));
    return n;
  }

  private reportedExpiry(config: Record<string, string>): Record<string, string> {
    const cap = this.deps.reportedLifetimeSeconds ?? 0;
    if (cap <= 0) return config;
    const latest = this.deps.clock.now() + cap * 1000;
    const out = { ...config };
    for (const [k, v] of Object.entries(out)) if (isCredentialExpiryKey(k) && Number(v) > latest) out[k] = String(latest);
    return out;
  }

  private evictExpired(now: number): void {
    for (const [k, v] of this.cache) if (v.reuseUntilMs <= now) this.cache.delete(k);
  }
}

/**
 * Every claim of a storage refresh token, in a fixed order: a cached token is reused only for exactly the claims it
 * carries. The record lists each claim of RefreshClaims, so a claim added there fails to compile until it is keyed
 * here too (a key that left out tableUuid once handed a dropped table's token to its successor at the same location).
 */
const REFRESH_CLAIMS: { [K in keyof Required<RefreshClaims>]: K } = {
  principal: 'principal',
  principalKey: 'principalKey',
  tenant: 'tenant',
  warehouse: 'warehouse',
  namespace: 'namespace',
  table: 'table',
  tableUuid: 'tableUuid',
  prefix: 'prefix',
  mode: 'mode',
};

const refreshClaimsKey = (claims: RefreshClaims): string => JSON.stringify(Object.values(REFRESH_CLAIMS).map((k) => claims[k] ?? null));

/** Relative to the catalog URI, as Iceberg clients resolve it. */
export function refreshEndpoint(warehouse: string, identifier: TableIdentifier): string {
  return `v1/${encodeURIComponent(warehouse)}/namespaces/${encodeURIComponent(identifier.namespace.join('\u001f'))}/tables/${encodeURIComponent(identifier.name)}/credentials`;
}

/** The refresh-endpoint property each FileIO family reads (ports/storage-kinds.ts). */
function refreshConfigKeys(config: Record<string, string>, endpoint: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const family of FILE_IO_FAMILIES) {
    if (Object.keys(config).some((k) => k.startsWith(family.prefix))) Object.assign(out, family.refreshKeys(endpoint));
  }
  return out;
}
