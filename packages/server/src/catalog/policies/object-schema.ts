/**
 * The schema a policy's columns are of: a table's current schema, or a view's (the schema of its current version).
 * Policies name columns by field id, so they are checked (management/policy-admin.ts) and written out for engines
 * (trino-opa/expressions.ts) against this one schema.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { parseJson } from '../json.js';
import type { Schema, TableMetadata, ViewMetadata } from '../metadata/types.js';
import type { CatalogObjectRecord } from '../ports/index.js';

/** A table's current schema, or a view's: the schema of its current version. */
export function currentSchema(record: Pick<CatalogObjectRecord, 'kind' | 'metadataJson'>): Schema {
  if (record.kind === 'view') return viewSchema(parseJson(record.metadataJson) as ViewMetadata);
  const metadata = parseJson(record.metadataJson) as TableMetadata;
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  if (!schema) throw new CatalogError('ERR_UNPROCESSABLE', 'The table metadata has no current schema');
  return schema;
}

/** The schema of a view's current version. */
export function viewSchema(metadata: ViewMetadata): Schema {
  const version = metadata.versions.find((v) => v['version-id'] === metadata['current-version-id']);
  const schema = version && metadata.schemas.find((s) => s['schema-id'] === version['schema-id']);
  if (!schema) throw new CatalogError('ERR_UNPROCESSABLE', 'The view metadata has no current schema');
  return schema;
}
