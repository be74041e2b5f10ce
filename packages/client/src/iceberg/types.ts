/** Iceberg REST request and response shapes used by the SDK (kebab-case as on the wire). */
export type { CatalogConfig, LoadCredentialsResponse, StorageCredential, TableIdentifier } from '@lakegate/protocol';
import type { StorageCredential } from '@lakegate/protocol';

/** A namespace: its levels, e.g. `['sales', 'eu']`. */
export type Namespace = string[];

/** Table metadata as the catalog returns it. Long ids (snapshot ids) are bigint when they exceed 2^53. */
export interface TableMetadata {
  'format-version': number;
  'table-uuid': string;
  location: string;
  'current-snapshot-id'?: number | bigint | null;
  properties?: Record<string, string>;
  [key: string]: unknown;
}

/** View metadata as the catalog returns it. */
export interface ViewMetadata {
  'view-uuid': string;
  'format-version': number;
  location: string;
  'current-version-id': number;
  properties?: Record<string, string>;
  [key: string]: unknown;
}

/** The answer to create, load, register and commit of a table. */
export interface LoadTableResult {
  'metadata-location'?: string;
  metadata: TableMetadata;
  config?: Record<string, string>;
  'storage-credentials'?: StorageCredential[];
}

/** The answer to create, load and replace of a view. */
export interface LoadViewResult {
  'metadata-location': string;
  metadata: ViewMetadata;
  config?: Record<string, string>;
}

/** A schema in Iceberg's JSON form. */
export interface Schema {
  type: 'struct';
  'schema-id'?: number;
  fields: Array<{ id: number; name: string; type: unknown; required: boolean; doc?: string }>;
  'identifier-field-ids'?: number[];
}

/** Body of createTable / stageCreateTable. */
export interface CreateTableRequest {
  name: string;
  schema: Schema;
  location?: string;
  'partition-spec'?: unknown;
  'write-order'?: unknown;
  properties?: Record<string, string>;
}

/** Body of createView. */
export interface CreateViewRequest {
  name: string;
  schema: Schema;
  location?: string;
  'view-version': Record<string, unknown>;
  properties?: Record<string, string>;
}

/** A commit requirement (`assert-*`), see the Iceberg REST spec. */
export type TableRequirement = { type: string; [key: string]: unknown };
/** A metadata update (`add-snapshot`, `set-properties`, ...), see the Iceberg REST spec. */
export type TableUpdate = { action: string; [key: string]: unknown };

/** One table's part of a commit or multi-table transaction. */
export interface TableChange {
  identifier: { namespace: Namespace; name: string };
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

/** Which credentials to ask for on loads (`X-Iceberg-Access-Delegation`). */
export type AccessDelegation = 'vended-credentials' | 'remote-signing';

/** A page of results and the token for the next one. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string | undefined;
}

/** Paging options of list calls. */
export interface PageOptions {
  pageSize?: number;
  pageToken?: string;
}
