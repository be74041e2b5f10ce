/**
 * The options and answers of the Lance namespace client (namespace.ts), in the SDK's names.
 */
import type { ClientOptions } from '../options.js';

/**
 * Options of {@link LanceNamespace}.
 *
 * @example
 * ```ts
 * const options: LanceNamespaceOptions = { uri: 'http://127.0.0.1:8181/lance/default', properties: { credential: 'id:secret' }, delimiter: '.' };
 * const lance = new LanceNamespace(options);
 * ```
 */
export interface LanceNamespaceOptions extends ClientOptions {
  /** Joins id levels in URLs; `$` unless the `delimiter` property says otherwise. */
  delimiter?: string;
}

/**
 * What a namespace create does when the namespace exists.
 *
 * @example
 * ```ts
 * const mode: CreateNamespaceMode = 'exist_ok';
 * await lance.createNamespace(['team'], { mode });
 * ```
 */
export type CreateNamespaceMode = 'create' | 'exist_ok' | 'overwrite';

/**
 * What a register does when the table exists.
 *
 * @example
 * ```ts
 * const mode: RegisterTableMode = 'overwrite';
 * await lance.registerTable(['team', 'embeddings'], 's3://bucket/team/embeddings.lance', { mode });
 * ```
 */
export type RegisterTableMode = 'create' | 'overwrite';

/**
 * A table's location and how to reach its storage (credentials vended when asked for).
 *
 * @example
 * ```ts
 * const described: DescribeTableResponse = await lance.describeTable(['team', 'embeddings'], { vendCredentials: true });
 * const expiresAt = Number(described.storage_options?.['expires_at_millis']);
 * ```
 */
export interface DescribeTableResponse {
  location?: string;
  table_uri?: string;
  /** Options for Lance's object store; temporary credentials come with `expires_at_millis`. */
  storage_options?: Record<string, string>;
  table?: string;
  namespace?: string[];
  version?: number | bigint;
  schema?: unknown;
  /** With `loadDetailedMetadata`: the version's deleted rows and fragments (the spec's TableBasicStats). */
  stats?: { num_deleted_rows: number | bigint; num_fragments: number | bigint } | null;
  /** With `loadDetailedMetadata`: the dataset's table metadata at that version (Lance's `update_metadata` map). */
  metadata?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The answer to declare / create-empty: where to write the new dataset.
 *
 * @example
 * ```ts
 * const { location, storage_options }: DeclareTableResponse = await lance.declareTable(['team', 'embeddings'], { vendCredentials: true });
 * ```
 */
export interface DeclareTableResponse {
  location?: string;
  storage_options?: Record<string, string>;
  transaction_id?: string;
}

/**
 * The answer to drop, deregister and register.
 *
 * @example
 * ```ts
 * const { location }: TableLocationResponse = await lance.deregisterTable(['team', 'embeddings']); // the data stays there
 * ```
 */
export interface TableLocationResponse {
  id?: string[];
  location?: string;
  properties?: Record<string, string>;
  transaction_id?: string;
}
