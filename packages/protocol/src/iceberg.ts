/** Iceberg REST catalog envelope types (kebab-case as on the wire). */

export interface IcebergErrorResponse {
  error: { message: string; type: string; code: number; stack?: string[] };
}

export interface CatalogConfig {
  defaults: Record<string, string>;
  overrides: Record<string, string>;
  endpoints?: string[];
  'idempotency-key-lifetime'?: string;
}

export interface TableIdentifier {
  namespace: string[];
  name: string;
}

export interface ListNamespacesResponse {
  namespaces: string[][];
  'next-page-token'?: string | null;
}

export interface ListTablesResponse {
  identifiers: TableIdentifier[];
  'next-page-token'?: string | null;
}

export interface StorageCredential {
  prefix: string;
  config: Record<string, string>;
}

export interface LoadTableResult<M = Record<string, unknown>> {
  'metadata-location'?: string;
  metadata: M;
  config?: Record<string, string>;
  'storage-credentials'?: StorageCredential[];
}

export interface LoadCredentialsResponse {
  'storage-credentials': StorageCredential[];
}

export const ICEBERG_NAMESPACE_SEPARATOR = '\u001f';
