/**
 * The shapes of Lakegate's management API (`/management/v1`) as the server sends and reads them: kebab-case keys
 * where the server writes them so (`client-id`, `created-at-ms`), camelCase in audit events (stored records).
 */
import type * as protocol from '@lakegate/protocol';

// The wire shapes live in @lakegate/protocol; aliased here (not re-exported) so the SDK's docs and examples sit on
// them. Where the SDK promises more than the schema states (a field the server always sends), the alias says so.

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
 * The server's answer always has all three fields (a request may omit any: `Partial<DelegationPolicy>`).
 *
 * @example
 * ```ts
 * const idp = 'https://idp.example.com/realms/data';
 * const policy: DelegationPolicy = { users: [{ issuer: idp, name: 'alice' }], groups: [{ issuer: idp, name: 'analysts' }], 'assert-identity': false };
 * ```
 */
export type DelegationPolicy = Required<protocol.DelegationPolicy>;

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
export type DelegatedName = string | protocol.IssuedName;

/**
 * A service principal as the API shows it (never its secret).
 *
 * @example
 * ```ts
 * const admins = (await management.listPrincipals()).filter((p: Principal) => p.roles.includes('admin'));
 * ```
 */
export type Principal = Omit<protocol.Principal, 'delegation'> & { delegation: DelegationPolicy };

/**
 * A new service principal. `roles: ['admin']` makes it an administrator of its tenant.
 *
 * @example
 * ```ts
 * const request: CreatePrincipalRequest = { name: 'trino', delegation: { users: ['alice'] } };
 * ```
 */
export type CreatePrincipalRequest = protocol.CreatePrincipalRequest;

/**
 * A client id and its secret, shown once (at creation or rotation).
 *
 * @example
 * ```ts
 * const { 'client-id': id, 'client-secret': secret }: PrincipalSecret = await management.rotatePrincipalSecret(id);
 * const catalog = new IcebergRestCatalog({ uri, properties: { credential: `${id}:${secret}` } });
 * ```
 */
export type PrincipalSecret = Pick<protocol.PrincipalCredentials, 'client-id' | 'client-secret'>;

/**
 * A created principal: its credential (shown once) and its tenant.
 * (A rotation's answer has no tenant; a creation's always has one.)
 *
 * @example
 * ```ts
 * const created: CreatedPrincipal = await management.createPrincipal({ name: 'spark-etl' });
 * ```
 */
export type CreatedPrincipal = PrincipalSecret & { tenant: string };

/**
 * A principal's SigV4 access key (the secret shown once).
 *
 * @example
 * ```ts
 * const key: AccessKey = await management.createAccessKey(clientId);
 * const catalog = new IcebergRestCatalog({ uri, auth: sigv4Auth({ credentials: { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] } }) });
 * ```
 */
export type AccessKey = protocol.AccessKey;

/**
 * A new API key.
 *
 * @example
 * ```ts
 * const request: CreateApiKeyRequest = { name: 'dashboard', 'expires-in-seconds': 86_400 };
 * ```
 */
/** `expires-in-seconds`: 60 s to 366 days; no expiry when omitted. */
export type CreateApiKeyRequest = protocol.CreateApiKeyRequest;

/**
 * A created API key (the key shown once), sent as `x-api-key`.
 *
 * @example
 * ```ts
 * const { 'key-id': keyId, 'api-key': key }: ApiKey = await management.createApiKey(clientId, { name: 'dashboard' });
 * await management.revokeApiKey(keyId);
 * ```
 */
export type ApiKey = protocol.ApiKey;

/**
 * A principal's SigV4 access key as listed (never its secret).
 *
 * @example
 * ```ts
 * const live = (await management.listAccessKeys(clientId)).filter((k: AccessKeyInfo) => k['revoked-at-ms'] === null);
 * ```
 */
export type AccessKeyInfo = protocol.ListAccessKeysResponse['access-keys'][number];

/**
 * A principal's API key as listed (never the key).
 *
 * @example
 * ```ts
 * const expiring = (await management.listApiKeys(clientId)).filter((k: ApiKeyInfo) => k['expires-at-ms'] !== null);
 * ```
 */
export type ApiKeyInfo = protocol.ListApiKeysResponse['api-keys'][number];

// ------------------------------------------------------------------ warehouses

/**
 * A warehouse as the API shows it: never the storage secret, only whether one is stored.
 * Its storage profile always names its `type`.
 *
 * @example
 * ```ts
 * for (const w of await management.listWarehouses()) console.log(w.name, w['storage-root'], w['has-storage-secret']);
 * ```
 */
export type Warehouse = Omit<protocol.Warehouse, 'storage-profile'> & { 'storage-profile': StorageProfile };

/**
 * A warehouse's storage profile: its `type` (`s3`, `azure`, `gcs`, `file`) and that type's settings (docs/storage.md).
 *
 * @example
 * ```ts
 * const profile: StorageProfile = { type: 's3', region: 'eu-west-1', 'role-arn': 'arn:aws:iam::123456789012:role/lake' };
 * ```
 */
type StorageProfile = { type: string; [key: string]: unknown };

/**
 * A new warehouse: its root, its storage profile (e.g. `{type: 's3', region, 'role-arn'}`) and the profile's secret,
 * which the server stores encrypted and never shows again.
 *
 * @example
 * ```ts
 * const request: CreateWarehouseRequest = { name: 'lake', 'storage-root': 'file:///data/lake', 'storage-profile': { type: 'file' } };
 * ```
 */
export type CreateWarehouseRequest = Omit<protocol.CreateWarehouseRequest, 'storage-profile'> & { 'storage-profile': StorageProfile };

/**
 * The storage the platform granted a tenant: its administrators create warehouses only with roots inside these
 * (cloud buckets, containers or prefixes). Set by a platform administrator only.
 *
 * @example
 * ```ts
 * await management.setTenantStorageGrant('acme', { roots: ['s3://acme-bucket'] });
 * ```
 */
export type TenantStorageGrant = protocol.TenantStorageGrant;

/**
 * A change of a warehouse's settings: properties set (`updates`) and removed (`removals`), checked as at creation.
 *
 * @example
 * ```ts
 * await management.updateWarehouseProperties('lake', { updates: { 'drop.retention-ms': '86400000' }, removals: ['maintenance.interval-ms'] });
 * ```
 */
export type UpdateWarehouseRequest = protocol.UpdateWarehouseRequest;

/**
 * A new storage profile for a warehouse, replacing the stored one whole and checked as at creation: the same type, a
 * storage the warehouse's root lies in (its bucket, or account and container). `storage-secret` replaces the secret;
 * absent, the stored one is kept; `remove-storage-secret: true` deletes it (the server's own cloud credentials then,
 * which only a platform administrator may choose). See docs/storage.md.
 *
 * @example
 * ```ts
 * await management.updateWarehouseStorageProfile('lake', {
 *   'storage-profile': { type: 's3', bucket: 'lake-bucket', endpoint: 'http://minio-2:9000', 'path-style-access': true },
 *   'storage-secret': { 'access-key-id': 'new-key', 'secret-access-key': '…' },
 * });
 * ```
 */
export type UpdateWarehouseStorageRequest = protocol.UpdateWarehouseStorageRequest;

/**
 * New remote settings or a new credential for a federated warehouse (docs/federation.md, "Changing the remote"):
 * `federation` replaces the settings whole (same kind), `federation-secret` the credential (absent: kept),
 * `remove-federation-secret: true` deletes it. Tested against the remote before anything is stored.
 *
 * @example
 * ```ts
 * await management.updateWarehouseFederation('sales', { 'federation-secret': { 'client-secret': rotated } });
 * ```
 */
export type UpdateWarehouseFederationRequest = protocol.UpdateWarehouseFederationRequest;

/**
 * Whether a federated warehouse's remote answers now, with the stored settings and credential (docs/federation.md,
 * "The remote's status"): `ok`, or `error` with the remote's refusal or failure as Lakegate words it; and its recorded
 * failures (`recent-failures`, newest first, at most 20) with when it last answered (`last-answered-at-ms`).
 *
 * @example
 * ```ts
 * const status = await management.getWarehouseFederationStatus('sales');
 * if (!status.ok) console.log(status.error?.message);
 * for (const f of status['recent-failures'] ?? []) console.log(f.operation, f.count, f.error.message);
 * ```
 */
export type FederationStatus = protocol.FederationStatus;

/** One entry of a federated warehouse's remote failure history: one operation's failures with one error within 5 minutes. */
export type FederationRemoteFailure = protocol.FederationRemoteFailure;

/** A page of a federated warehouse's remote failure history, newest first; `next-page-token` absent on the last page. */
export type ListFederationRemoteFailuresResponse = protocol.ListFederationRemoteFailuresResponse;

/**
 * An Iceberg metrics report a client posted for a table.
 *
 * @example
 * ```ts
 * const scans = (await management.listMetricsReports('lake', { namespace: ['sales'], name: 'orders' })).filter((r: MetricsReport) => r['report-type'] === 'scan-report');
 * ```
 */
export type MetricsReport = protocol.MetricsReportRecord;

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
export type DroppedObject = protocol.DroppedObject;

/**
 * Table maintenance on demand: what to run and how (every field optional; the table's `history.expire.*` properties,
 * then the warehouse's, then Iceberg's defaults decide the rest).
 *
 * @example
 * ```ts
 * const report = await management.runTableMaintenance('lake', { namespace: ['sales'], name: 'orders' }, { 'dry-run': true, 'min-snapshots-to-keep': 3 });
 * ```
 */
export type TableMaintenanceRequest = protocol.TableMaintenanceRequest;

/** What a table's maintenance did (or, on a dry run, would do): the snapshots, refs and files it removed. */
export type TableMaintenanceResult = protocol.TableMaintenanceResult;

/** Where a table's maintenance job is: its phase and counts so far (kept as it ended after the job). */
export type TableMaintenanceProgress = protocol.TableMaintenanceProgress;

/**
 * A table's maintenance job as the catalog records it, whichever replica runs it.
 *
 * @example
 * ```ts
 * const job = await management.getTableMaintenance('lake', { namespace: ['sales'], name: 'orders' });
 * if (job.state === 'running') console.log(job.progress?.phase, job.progress?.['files-deleted']);
 * ```
 */
export type TableMaintenanceJob = protocol.TableMaintenanceJob;

// ------------------------------------------------------------------ audit

/**
 * One event of the audit trail (never a secret): who did what to which object, allowed or denied, in which request.
 *
 * @example
 * ```ts
 * for await (const e of management.auditEvents({ decision: 'deny' })) console.log(new Date(e.atMs), e.actor, e.action, e.object);
 * ```
 */
export type AuditEvent = protocol.AuditEvent;

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
export type AuditPage = protocol.ListAuditResponse;
