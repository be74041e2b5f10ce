/**
 * The shapes of Lakegate's management API (`/management/v1`) as the server sends and reads them: kebab-case keys
 * where the server writes them so (`client-id`, `created-at-ms`), camelCase in audit events (stored records).
 */

/**
 * Options most management calls take: the tenant to manage (platform administrators only, for another tenant than
 * their own) and an abort signal.
 *
 * @example
 * ```ts
 * const roles = await management.listRoles({ tenant: 'acme' });
 * ```
 */
export interface ManagementRequestOptions {
  tenant?: string;
  signal?: AbortSignal;
}

// ------------------------------------------------------------------ principals and their keys

/**
 * Whom a service principal may act for (RFC 8693 delegation), and whether it may assert users' identities itself.
 *
 * @example
 * ```ts
 * const idp = 'https://idp.example.com/realms/data';
 * const policy: DelegationPolicy = { users: [{ issuer: idp, name: 'alice' }], groups: [{ issuer: idp, name: 'analysts' }], 'assert-identity': false };
 * ```
 */
export interface DelegationPolicy {
  users: DelegatedName[];
  groups: DelegatedName[];
  'assert-identity': boolean;
}

/**
 * A user or group of a delegation policy, with the issuer that vouches for it (a trusted IdP's issuer URL, or
 * `asserted` for names an assert-identity engine asserts). A bare string matches only an asserted name or a service
 * principal's client id; groups need their issuer.
 *
 * @example
 * ```ts
 * const analysts: DelegatedName = { issuer: 'https://idp.example.com/realms/data', name: 'analysts' };
 * ```
 */
export type DelegatedName = string | { issuer: string; name: string };

/**
 * A service principal as the API shows it (never its secret).
 *
 * @example
 * ```ts
 * const admins = (await management.listPrincipals()).filter((p: Principal) => p.roles.includes('admin'));
 * ```
 */
export interface Principal {
  'client-id': string;
  name: string;
  tenant: string;
  roles: string[];
  delegation: DelegationPolicy;
  disabled: boolean;
  'created-at-ms': number;
}

/**
 * A new service principal. `roles: ['admin']` makes it an administrator of its tenant.
 *
 * @example
 * ```ts
 * const request: CreatePrincipalRequest = { name: 'trino', delegation: { users: ['alice'] } };
 * ```
 */
export interface CreatePrincipalRequest {
  name: string;
  tenant?: string;
  roles?: Array<'admin'>;
  delegation?: Partial<DelegationPolicy>;
}

/**
 * A client id and its secret, shown once (at creation or rotation).
 *
 * @example
 * ```ts
 * const { 'client-id': id, 'client-secret': secret }: PrincipalSecret = await management.rotatePrincipalSecret(id);
 * const catalog = new IcebergRestCatalog({ uri, properties: { credential: `${id}:${secret}` } });
 * ```
 */
export interface PrincipalSecret {
  'client-id': string;
  'client-secret': string;
}

/**
 * A created principal: its credential (shown once) and its tenant.
 *
 * @example
 * ```ts
 * const created: CreatedPrincipal = await management.createPrincipal({ name: 'spark-etl' });
 * ```
 */
export interface CreatedPrincipal extends PrincipalSecret {
  tenant: string;
}

/**
 * A principal's SigV4 access key (the secret shown once).
 *
 * @example
 * ```ts
 * const key: AccessKey = await management.createAccessKey(clientId);
 * const catalog = new IcebergRestCatalog({ uri, auth: sigv4Auth({ credentials: { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] } }) });
 * ```
 */
export interface AccessKey {
  'access-key-id': string;
  'secret-access-key': string;
}

/**
 * A new API key.
 *
 * @example
 * ```ts
 * const request: CreateApiKeyRequest = { name: 'dashboard', 'expires-in-seconds': 86_400 };
 * ```
 */
export interface CreateApiKeyRequest {
  name: string;
  /** 60 s to 366 days; no expiry when omitted. */
  'expires-in-seconds'?: number;
}

/**
 * A created API key (the key shown once), sent as `x-api-key`.
 *
 * @example
 * ```ts
 * const { 'key-id': keyId, 'api-key': key }: ApiKey = await management.createApiKey(clientId, { name: 'dashboard' });
 * await management.revokeApiKey(keyId);
 * ```
 */
export interface ApiKey {
  'key-id': string;
  'api-key': string;
  'expires-at-ms': number | null;
}

/**
 * A principal's SigV4 access key as listed (never its secret).
 *
 * @example
 * ```ts
 * const live = (await management.listAccessKeys(clientId)).filter((k: AccessKeyInfo) => k['revoked-at-ms'] === null);
 * ```
 */
export interface AccessKeyInfo {
  'access-key-id': string;
  'created-at-ms': number;
  'revoked-at-ms': number | null;
}

/**
 * A principal's API key as listed (never the key).
 *
 * @example
 * ```ts
 * const expiring = (await management.listApiKeys(clientId)).filter((k: ApiKeyInfo) => k['expires-at-ms'] !== null);
 * ```
 */
export interface ApiKeyInfo {
  'key-id': string;
  name: string;
  'created-at-ms': number;
  'expires-at-ms': number | null;
  'revoked-at-ms': number | null;
}

// ------------------------------------------------------------------ warehouses

/**
 * A warehouse as the API shows it: never the storage secret, only whether one is stored.
 *
 * @example
 * ```ts
 * for (const w of await management.listWarehouses()) console.log(w.name, w['storage-root'], w['has-storage-secret']);
 * ```
 */
export interface Warehouse {
  name: string;
  tenant: string;
  'storage-root': string;
  'storage-profile': { type: string; [key: string]: unknown };
  'has-storage-secret': boolean;
  properties: Record<string, string>;
}

/**
 * A new warehouse: its root, its storage profile (e.g. `{type: 's3', region, 'role-arn'}`) and the profile's secret,
 * which the server stores encrypted and never shows again.
 *
 * @example
 * ```ts
 * const request: CreateWarehouseRequest = { name: 'lake', 'storage-root': 'file:///data/lake', 'storage-profile': { type: 'file' } };
 * ```
 */
export interface CreateWarehouseRequest {
  name: string;
  tenant?: string;
  'storage-root': string;
  'storage-profile': { type: string; [key: string]: unknown };
  'storage-secret'?: Record<string, unknown>;
  properties?: Record<string, string>;
}

/**
 * The storage the platform granted a tenant: its administrators create warehouses only with roots inside these
 * (cloud buckets, containers or prefixes). Set by a platform administrator only.
 *
 * @example
 * ```ts
 * await management.setTenantStorageGrant('acme', { roots: ['s3://acme-bucket'] });
 * ```
 */
export interface TenantStorageGrant {
  tenant?: string;
  roots: string[];
}

/**
 * An Iceberg metrics report a client posted for a table.
 *
 * @example
 * ```ts
 * const scans = (await management.listMetricsReports('lake', { namespace: ['sales'], name: 'orders' })).filter((r: MetricsReport) => r['report-type'] === 'scan-report');
 * ```
 */
export interface MetricsReport {
  id: string;
  'report-type': string;
  'created-at-ms': number;
  report: unknown;
}

// ------------------------------------------------------------------ dropped objects

/**
 * A dropped (soft-deleted) table, view or Lance table, or a namespace a cascading drop took, recoverable until
 * `expires-at-ms` (the warehouse's `drop.retention-ms`, 7 days by default). A namespace shows as its parent
 * (`namespace`) and last level (`name`); its undrop restores everything that drop took under it.
 *
 * @example
 * ```ts
 * const [orders] = (await management.listDroppedObjects('lake')).filter((d: DroppedObject) => d.name === 'orders');
 * await management.undrop('lake', orders.id, { name: 'orders_restored' });
 * ```
 */
export interface DroppedObject {
  id: string;
  kind: 'table' | 'view' | 'lance-table' | 'namespace';
  namespace: string[];
  name: string;
  location: string;
  'dropped-at-ms': number;
  'expires-at-ms': number;
  /** Whether its files are deleted when the retention ends. */
  purge: boolean;
  'dropped-by': string;
  /** The id of the dropped namespace whose cascading drop took it: undropping that one restores this one too. */
  'dropped-with'?: string;
}

/**
 * Table maintenance on demand: what to run and how (every field optional; the table's `history.expire.*` properties,
 * then the warehouse's, then Iceberg's defaults decide the rest).
 *
 * @example
 * ```ts
 * const report = await management.runTableMaintenance('lake', { namespace: ['sales'], name: 'orders' }, { 'dry-run': true, 'min-snapshots-to-keep': 3 });
 * ```
 */
export interface TableMaintenanceRequest {
  actions?: Array<'expire-snapshots' | 'remove-orphan-files'>;
  'dry-run'?: boolean;
  'max-snapshot-age-ms'?: number;
  'min-snapshots-to-keep'?: number;
  'max-ref-age-ms'?: number;
  'orphan-older-than-ms'?: number;
}

export interface TableMaintenanceResult {
  'dry-run': boolean;
  'expired-snapshots': string[];
  'removed-refs': string[];
  'deleted-files': number;
  'deleted-bytes': number;
  files: Array<{ path: string; kind: string; bytes: number }>;
  /** Files the store could not delete (not counted in deleted-files): left in place; a later orphan removal deletes them. */
  'failed-files'?: Array<{ path: string; kind: string; bytes: number; error: string }>;
  'metadata-location': string;
}

/** Where a table's maintenance job is: its phase and counts so far (kept as it ended after the job). */
export interface TableMaintenanceProgress {
  phase: 'starting' | 'expiring-snapshots' | 'deleting-expired-files' | 'listing-orphans' | 'deleting-orphans' | 'done' | 'failed';
  'manifests-scanned': number;
  'files-scanned': number;
  'files-deleted': number;
  'bytes-deleted': number;
  /** Files the store could not delete so far. */
  'files-failed'?: number;
  'updated-at-ms': number;
  error?: string;
}

/**
 * A table's maintenance job as the catalog records it, whichever replica runs it.
 *
 * @example
 * ```ts
 * const job = await management.getTableMaintenance('lake', { namespace: ['sales'], name: 'orders' });
 * if (job.state === 'running') console.log(job.progress?.phase, job.progress?.['files-deleted']);
 * ```
 */
export interface TableMaintenanceJob {
  state: 'never-run' | 'running' | 'done' | 'failed' | 'abandoned';
  holder?: string;
  'started-at-ms'?: number;
  'lease-expires-at-ms'?: number;
  'last-completed-at-ms'?: number;
  progress?: TableMaintenanceProgress;
}

// ------------------------------------------------------------------ audit

/**
 * One event of the audit trail (never a secret): who did what to which object, allowed or denied, in which request.
 *
 * @example
 * ```ts
 * for await (const e of management.auditEvents({ decision: 'deny' })) console.log(new Date(e.atMs), e.actor, e.action, e.object);
 * ```
 */
export interface AuditEvent {
  id: string;
  atMs: number;
  type: string;
  /** Who did it, e.g. `service:lakegate-admin` or `user:alice via service:trino`. */
  actor: string;
  detail: Record<string, unknown>;
  tenant: string;
  decision?: 'allow' | 'deny';
  action?: string;
  object?: string;
  requestId?: string;
}

/**
 * Which audit events to read, newest first. Text filters: `actor` and `object` match a substring, `action` an exact
 * action or a prefix ending in `:` or `.`; times are Dates, epoch milliseconds or ISO 8601 text.
 *
 * @example
 * ```ts
 * const filter: AuditFilter = { object: 'sales.orders', decision: 'deny', since: new Date(Date.now() - 3_600_000) };
 * ```
 */
export interface AuditFilter {
  tenant?: string;
  actor?: string;
  object?: string;
  action?: string;
  type?: string;
  decision?: 'allow' | 'deny';
  since?: Date | number | string;
  until?: Date | number | string;
}

/**
 * One page of audit events and the cursor of the next (null on the last page).
 *
 * @example
 * ```ts
 * const first: AuditPage = await management.listAudit({ limit: 50 });
 * const second = first.next ? await management.listAudit({ limit: 50, before: first.next }) : undefined;
 * ```
 */
export interface AuditPage {
  events: AuditEvent[];
  next: string | null;
}
