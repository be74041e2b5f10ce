/**
 * Federation's ports (a file of its own below the services, as object-record.ts: the table and namespace services name
 * the Federation hooks, and federation/ implements them over those services' kit, with no import circle): a remote catalog that holds a federated warehouse's namespaces and tables (docs/federation.md).
 * Lakegate keeps a mirror record of each remote object it has seen (a stable catalog id that grants name, the current
 * metadata pointer that vending, planning and policies read); the remote stays the source of truth and its concurrency
 * rules apply to every commit. One descriptor per kind (a registry), as for storage and sink kinds.
 *
 * Errors a remote raises are CatalogErrors with the codes clients act on: ERR_TABLE_NOT_FOUND / ERR_NAMESPACE_NOT_FOUND,
 * ERR_TABLE_EXISTS / ERR_NAMESPACE_EXISTS, ERR_COMMIT_CONFLICT (a requirement failed at the remote), ERR_UNAVAILABLE
 * (down, slow past the timeout, 5xx: 503 with Retry-After at the edge), ERR_REMOTE_INVALID (an answer that is not valid
 * Iceberg, or Lakegate's credentials refused: 502 with the reason, never the secret). The connection test at creation
 * turns any failure into a 400 naming the problem (catalog/federation/settings.ts).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { ObjectStorage } from '../object-storage.js';

/** A federated warehouse's remote, as stored (its secret by id only). */
export interface FederationSettings {
  kind: 'iceberg-rest' | 'glue' | 'hive';
  /** iceberg-rest: the remote's base URI; glue: the Glue endpoint (AWS's regional one unless overridden); hive: the metastore's thrift://host:port. */
  uri: string;
  /** glue: the AWS region. */
  region?: string | undefined;
  /** glue: the Data Catalog's id (the AWS account id; default the caller's account). */
  catalogId?: string | undefined;
  /** glue: the access key id of the sealed secret access key. */
  accessKeyId?: string | undefined;
  /** The remote warehouse, sent to its GET /v1/config. */
  warehouse?: string | undefined;
  oauth2ServerUri?: string | undefined;
  clientId?: string | undefined;
  scope?: string | undefined;
  /** Bound on every call to the remote. */
  timeoutMs?: number | undefined;
  /** How long a table loaded from the remote is served again without asking it (0 or unset: every load asks). */
  maxStalenessMs?: number | undefined;
  /** hive: take HMS's exclusive table lock around each commit, as Iceberg's HiveCatalog does (default true). */
  lockEnabled?: boolean | undefined;
  /** hive: how long a commit waits for that lock before it is refused with a 409 (default 10000). */
  lockTimeoutMs?: number | undefined;
  /** hive: Thrift inside TLS (HMS's hive.metastore.use.SSL); the certificate is always verified. */
  tls?: boolean | undefined;
  /** hive, with tls: the CA certificates (PEM) trusted for the metastore instead of Node's default roots (public, not a secret). */
  tlsCa?: string | undefined;
  /** hive, with tls: the name the metastore's certificate must carry, when it is not the uri's host. */
  tlsServerName?: string | undefined;
  /** hive, with tls: Lakegate's client certificate (PEM chain) for mutual TLS; its key is the sealed credential's tlsClientKey. */
  tlsClientCert?: string | undefined;
  /**
   * hive: how Lakegate logs in to the metastore: none (default), password (SASL PLAIN with username and the sealed
   * password), or kerberos (SASL GSSAPI with the server process's Kerberos credentials towards kerberosPrincipal).
   */
  auth?: 'none' | 'password' | 'kerberos' | undefined;
  /** hive, with auth kerberos: the metastore's service principal, service/host (host may be _HOST: the uri's host), optionally @REALM. */
  kerberosPrincipal?: string | undefined;
  /** hive, with auth password: the user name of the login (its password is the sealed credential's password). */
  username?: string | undefined;
  /** The sealed credential (client secret, bearer token, AWS secret key, or a Hive client key and/or password), if any. */
  secretId?: string | undefined;
}

/** The remote's credential, opened only to call the remote; never logged, never answered. */
export interface RemoteCredential {
  clientSecret?: string | undefined;
  token?: string | undefined;
  /** glue: the AWS secret access key (and a session token for temporary keys). */
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  /** hive: the private key (PEM) of settings.tlsClientCert, for mutual TLS. */
  tlsClientKey?: string | undefined;
  /** hive, with auth password: the password of settings.username. */
  password?: string | undefined;
}

/**
 * Where a kind that keeps only the metadata pointer (Glue, Hive) has Lakegate write and read the metadata files: the
 * warehouse's storage through its profile, as for Lakegate's own tables. Absent for a connection test.
 */
export interface RemoteMetadataFiles {
  /** The warehouse's storage root (where a table created without a location goes). */
  root: string;
  /** Whether a location lies inside the warehouse's storage roots: nothing outside is read with its credentials. */
  allows(location: string): boolean;
  storage(): Promise<ObjectStorage>;
}

/** A table as the remote answers it: the pointer and the metadata file's JSON. */
export interface RemoteTable {
  metadataLocation: string;
  /** The metadata as the remote sent it (JSON text of the `metadata` object). */
  metadataJson: string;
  /** From the metadata: what Lakegate's mirror record keeps. */
  uuid: string;
  location: string;
}

/** A stage-created table as the remote answers it: the would-be metadata, nothing created yet (no metadata file). */
export interface StagedRemoteTable {
  metadataJson: string;
  uuid: string;
  location: string;
}

export interface RemoteIdentifier {
  namespace: string[];
  name: string;
}

/** One connection to a remote catalog (its session, token and prefix). */
export interface RemoteCatalog {
  /** Test the connection: the remote answers its config with these credentials (ERR_VALIDATION naming the problem). */
  check(): Promise<void>;
  listNamespaces(parent: string[]): Promise<string[][]>;
  createNamespace(levels: string[], properties: Record<string, string>): Promise<void>;
  listTables(namespace: string[]): Promise<RemoteIdentifier[]>;
  loadTable(namespace: string[], name: string): Promise<RemoteTable>;
  /** The Iceberg CreateTableRequest as the client sent it (validated by Lakegate's route). */
  createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable>;
  /**
   * A stage-create (CTAS): the remote answers the would-be metadata and creates nothing. Only kinds whose commit with
   * `assert-create` creates the table at the remote, atomically, have it (iceberg-rest; Glue and Hive, which create the
   * pointer to the first metadata file Lakegate writes); without it a create transaction on the warehouse is refused.
   */
  stageTable?(namespace: string[], request: Record<string, unknown>): Promise<StagedRemoteTable>;
  /**
   * The remote's own commit: its requirements are checked by the remote, so no writer loses another's commit. With
   * `assert-create` (a kind with stageTable only) it creates the table, or fails with ERR_COMMIT_CONFLICT if it exists.
   */
  commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable>;
  dropTable(namespace: string[], name: string): Promise<void>;
}

/** How to reach a remote of one kind. */
export interface RemoteCatalogKind {
  kind: FederationSettings['kind'];
  connect(settings: FederationSettings, credential: RemoteCredential, files?: RemoteMetadataFiles): RemoteCatalog;
}

/** The federated warehouse's remote, its credential opened from the secret store. */
export interface RemoteCatalogs {
  /** A connection for a federated warehouse (cached per warehouse and settings). */
  of(warehouse: { name: string; storageRoot: string; federation: FederationSettings }): Promise<RemoteCatalog>;
  /** A connection for settings not stored yet (test-connection at creation). */
  connect(settings: FederationSettings, credential: RemoteCredential): RemoteCatalog;
  /** Seals a credential under a new secret id, for a warehouse being created or its credential replaced. */
  seal(credential: RemoteCredential): Promise<string>;
  /** The credential sealed under `secretId` (none: no credential), opened in memory to test changed settings with it. */
  open(secretId: string | undefined): Promise<RemoteCredential>;
}

/** What the hooks need of a request's scope (catalog/context.ts RequestScope, structurally). */
export interface FederatedScope {
  warehouse: { name: string; federation?: FederationSettings | undefined };
  caller: unknown;
}

/** What the hooks need of a mirrored table (object-record.ts CatalogObjectRecord, structurally). */
export interface FederatedObject {
  id: string;
  namespace: string[];
  name: string;
  uuid: string;
  location: string;
  metadataLocation: string;
  metadataJson: string;
}

/**
 * The federation hooks the catalog's services call (implemented by federation/mirror.ts). The see/sync hooks do
 * nothing for a warehouse Lakegate keeps itself; the write hooks are called for a federated warehouse only, after the
 * service authorized the operation.
 */
export interface Federation {
  /** Before an operation in a namespace: a remote namespace the mirror has not seen is looked for at the remote. */
  seeNamespace(scope: FederatedScope, levels: string[]): Promise<void>;
  /** Before an operation on a table: its record refreshed from the remote (a missing one is left to the service's checks). */
  seeTable(scope: FederatedScope, namespace: string[], name: string): Promise<void>;
  syncNamespaces(scope: FederatedScope, parent: string[]): Promise<void>;
  syncTables(scope: FederatedScope, namespace: string[]): Promise<void>;
  createNamespace(scope: FederatedScope, levels: string[], properties: Record<string, string>): Promise<void>;
  /** Creates the table at the remote, at the location Lakegate chose; the mirrored record. */
  createTable(scope: FederatedScope, namespace: string[], request: Record<string, unknown>): Promise<FederatedObject>;
  /** A stage-create at the remote (ERR_NOT_IMPLEMENTED for a kind without one): the would-be metadata, checked to lie in the warehouse's storage. */
  stageTable(scope: FederatedScope, namespace: string[], request: Record<string, unknown>): Promise<StagedRemoteTable>;
  commit(
    scope: FederatedScope,
    changes: ReadonlyArray<{
      identifier: { namespace: string[]; name: string };
      requirements: readonly unknown[];
      updates: readonly unknown[];
      authorizedId: string | undefined;
    }>,
  ): Promise<Array<{ metadataLocation: string; metadataJson: string }>>;
  drop(scope: FederatedScope, record: FederatedObject, purge: boolean): Promise<void>;
}

export const isFederatedScope = (scope: FederatedScope): boolean => scope.warehouse.federation !== undefined;

/** What this slice does not pass through to a remote yet (docs/federation.md): refused, never done locally behind its back. */
export function refuseOnFederated(scope: FederatedScope, what: string): void {
  if (isFederatedScope(scope)) throw new CatalogError('ERR_NOT_IMPLEMENTED', `${what} on a federated warehouse is not supported yet`);
}
