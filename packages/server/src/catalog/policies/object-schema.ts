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
  const { schemas, currentId } = tableSchemaList(parseJson(record.metadataJson) as TableMetadata);
  const schema = schemas.find((s) => s['schema-id'] === currentId);
  if (!schema) throw new CatalogError('ERR_UNPROCESSABLE', 'The table metadata has no current schema');
  return schema;
}

/**
 * A table's schemas and the current one's id, as its metadata file has them: a format v1 file may name its one
 * `schema` only (no `schemas`, no `current-schema-id`), which is then its schema. No list at all: none.
 */
export function tableSchemaList(metadata: Pick<TableMetadata, 'schemas' | 'current-schema-id' | 'schema'>): {
  schemas: Schema[];
  currentId: number | undefined;
} {
  if (Array.isArray(metadata.schemas)) return { schemas: metadata.schemas.filter(isObject), currentId: metadata['current-schema-id'] };
  if (!isObject(metadata.schema)) return { schemas: [], currentId: undefined };
  const schema = metadata.schema['schema-id'] === undefined ? { ...metadata.schema, 'schema-id': 0 } : metadata.schema;
  return { schemas: [schema], currentId: schema['schema-id'] };
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema of a view's current version. */
export function viewSchema(metadata: ViewMetadata): Schema {
  const version = metadata.versions.find((v) => v['version-id'] === metadata['current-version-id']);
  const schema = version && metadata.schemas.find((s) => s['schema-id'] === version['schema-id']);
  if (!schema) throw new CatalogError('ERR_UNPROCESSABLE', 'The view metadata has no current schema');
  return schema;
}
