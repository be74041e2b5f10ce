/** Row types of the catalog database, shared by the SQLite and PostgreSQL adapters. */
import type { ColumnType } from 'kysely';

/** Epoch milliseconds; PostgreSQL returns BIGINT as a string, so reads accept both. */
type Millis = ColumnType<number | string, number, number>;

export interface WarehousesTable {
  name: string;
  /** Owning tenant (migration 0005; 'default' for rows that existed before). */
  tenant: ColumnType<string, string | undefined, string>;
  storage_root: string;
  properties: string;
  created_at: Millis;
  /** JSON of the StorageProfile (no secrets). */
  storage_profile: ColumnType<string, string | undefined, string>;
  secret_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0026: JSON of a federated warehouse's FederationSettings (its secret by id only); null otherwise. */
  federation: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Migration 0014: storage granted to a tenant's administrators (JSON list of roots). */
export interface TenantStorageGrantsTable {
  tenant: string;
  roots: string;
  updated_at: Millis;
}

/** Migration 0032: a federated warehouse's remote failures, one row per (operation, error, window) (catalog/ports/remote-failures.ts). */
export interface FederationRemoteFailuresTable {
  warehouse: string;
  operation: string;
  fingerprint: string;
  window_start: Millis;
  code: string;
  message: string;
  count: ColumnType<number | string, number, number>;
  first_at: Millis;
  last_at: Millis;
}

/** Migration 0032: when each federated warehouse's remote last answered. */
export interface FederationRemoteAnswersTable {
  warehouse: string;
  answered_at: Millis;
}

/** Migration 0026: catalog-supplied labels of a table or view, by its catalog id (the wire JSON). */
export interface ObjectLabelsTable {
  object_id: string;
  labels: string;
  labels_updated_at: Millis;
}

export interface CatalogFunctionsTable {
  warehouse: string;
  namespace: string;
  name: string;
  uuid: string;
  metadata_json: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface SecretsTable {
  id: string;
  ciphertext: string;
  created_at: Millis;
}

export interface SigningKeysTable {
  kid: string;
  purpose: string;
  ciphertext: string;
  created_at: Millis;
  retired_at: ColumnType<number | string | null, number | null | undefined, number | null>;
}

export interface NamespacesTable {
  /** Catalog id (migration 0006): what grants name. */
  id: string;
  warehouse: string;
  /** Levels joined by U+001F, the Iceberg REST separator, which identifiers may not contain. */
  name: string;
  parent: string;
  properties: string;
  created_at: Millis;
}

export interface CatalogObjectsTable {
  /** Catalog id of the row (migration 0006): what grants name; kept by renames, fresh for every create or register. */
  id: string;
  warehouse: string;
  namespace: string;
  name: string;
  kind: string;
  uuid: string;
  location: string;
  metadata_location: string;
  metadata: string;
  created_at: Millis;
  updated_at: Millis;
  /** 1 when the catalog created the table at its location (migration 0015; 0 for older rows and registered tables). */
  location_owned: ColumnType<number | string, number | undefined, number>;
}

/** Raised by triggers whenever the objects a listing of the namespace shows change (migration 0011). */
export interface ListingVersionsTable {
  warehouse: string;
  namespace: string;
  version: Millis;
}

export interface StagedTablesTable {
  warehouse: string;
  namespace: string;
  name: string;
  uuid: string;
  location: string;
  metadata: string;
  expires_at: Millis;
  /** Who stage-created it (migration 0006; '' for rows from before). */
  owner: ColumnType<string, string | undefined, string>;
}

export interface IdempotencyKeysTable {
  key: string;
  fingerprint: string;
  status: number;
  body: string;
  created_at: Millis;
}

export interface MetricsReportsTable {
  id: string;
  warehouse: string;
  namespace: string;
  table_name: string;
  /** Migration 0013. */
  table_id: string;
  table_uuid: string;
  report_type: string;
  report: string;
  created_at: Millis;
}

export interface ServicePrincipalsTable {
  client_id: string;
  name: string;
  secret_hash: string;
  secret_version: number;
  roles: string;
  delegation: string;
  disabled: number;
  created_at: Millis;
  /** Owning tenant (migration 0005; 'default' for rows that existed before). */
  tenant: ColumnType<string, string | undefined, string>;
  /** Migration 0007: tokens issued before this instant (ms) are refused; null for none. */
  tokens_valid_after: ColumnType<number | string | null, number | null | undefined, number | null>;
}

export interface AuditEventsTable {
  id: string;
  at: Millis;
  type: string;
  actor: string;
  detail: string;
  /** Migration 0006: the tenant the event belongs to ('default' for rows that existed before). */
  tenant: ColumnType<string, string | undefined, string>;
  decision: ColumnType<string | null, string | null | undefined, string | null>;
  action: ColumnType<string | null, string | null | undefined, string | null>;
  object: ColumnType<string | null, string | null | undefined, string | null>;
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
}

type NullableMillis = ColumnType<number | string | null, number | null | undefined, number | null>;

export interface AccessKeysTable {
  access_key_id: string;
  client_id: string;
  ciphertext: string;
  created_at: Millis;
  revoked_at: NullableMillis;
}

export interface ApiKeysTable {
  key_id: string;
  client_id: string;
  name: string;
  hash: string;
  created_at: Millis;
  expires_at: NullableMillis;
  revoked_at: NullableMillis;
}

/** Migration 0007: state of token sessions that need any (revoked, or refresh token rotated). */
export interface TokenSessionsTable {
  sid: string;
  client_id: string;
  tenant: string;
  refresh_generation: ColumnType<number, number | undefined, number>;
  revoked_at: NullableMillis;
  revoked_reason: ColumnType<string | null, string | null | undefined, string | null>;
  expires_at: Millis;
  created_at: Millis;
}

export interface RolesTable {
  tenant: string;
  name: string;
  description: string;
  created_at: Millis;
}

export interface RoleMembersTable {
  tenant: string;
  role: string;
  member_kind: string;
  member_issuer: string;
  member_name: string;
  created_at: Millis;
}

export interface GrantsTable {
  tenant: string;
  role: string;
  privilege: string;
  securable_kind: string;
  securable_id: string;
  warehouse: string;
  created_at: Millis;
}

/** Console sign-in sessions (migration 0009): the token's hash and who signed in. */
export interface ConsoleSessionsTable {
  id_hash: string;
  tenant: string;
  /** service | user */
  subject_kind: string;
  subject: string;
  issuer: string;
  /** JSON list of IdP groups at sign-in. */
  groups: string;
  secret_version: ColumnType<number | string | null, number | null, number | null>;
  created_at: Millis;
  expires_at: Millis;
}

export interface CatalogDatabase {
  console_sessions: ConsoleSessionsTable;
  roles: RolesTable;
  role_members: RoleMembersTable;
  grants: GrantsTable;
  warehouses: WarehousesTable;
  namespaces: NamespacesTable;
  catalog_objects: CatalogObjectsTable;
  listing_versions: ListingVersionsTable;
  staged_tables: StagedTablesTable;
  idempotency_keys: IdempotencyKeysTable;
  metrics_reports: MetricsReportsTable;
  secrets: SecretsTable;
  signing_keys: SigningKeysTable;
  service_principals: ServicePrincipalsTable;
  audit_events: AuditEventsTable;
  access_keys: AccessKeysTable;
  api_keys: ApiKeysTable;
  token_sessions: TokenSessionsTable;
  tenant_storage_grants: TenantStorageGrantsTable;
  object_labels: ObjectLabelsTable;
  catalog_functions: CatalogFunctionsTable;
  federation_remote_failures: FederationRemoteFailuresTable;
  federation_remote_answers: FederationRemoteAnswersTable;
}

export { decodeNamespace, encodeNamespace } from '../catalog/identifiers.js';
