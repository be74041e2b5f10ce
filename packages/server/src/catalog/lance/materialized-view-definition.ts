/**
 * A Lance materialized view's definition (CreateMaterializedView, lance-namespace 0.13; issue 58), as the catalog
 * stores it: in the view's table record (a declared Lance table), beside its properties, and answered as the reserved
 * properties `materialized_view.*` wherever the table's properties are (DescribeTable, drop, deregister). The catalog
 * stores definitions only; nothing here runs or parses the query.
 *
 * Why the `materialized_view.` prefix is reserved: a client tells a view from a table by these keys, so a table
 * declared, registered or created with one of them would pass for a view whose definition nobody gave. They are
 * refused (400) where properties are set; a table that holds such keys from before keeps and answers them.
 */
import { createHash } from 'node:crypto';
import type { LanceCreateMaterializedViewRequest, LanceMaterializedViewKind, LanceMaterializedViewUdtfEntry } from '@lakegate/protocol';
import { CatalogError, validation } from '../../errors/catalog-error.js';

export const MATERIALIZED_VIEW_PREFIX = 'materialized_view.';

/** The definition as stored (its fields as the request gave them, checked). */
export interface MaterializedViewDefinition {
  kind: LanceMaterializedViewKind;
  sourceQuery: string;
  /** Base64 of the output Arrow schema. */
  outputSchema: string;
  /** udtf and chunker views: the UDTF entry of the request, as given. */
  udtfSpec?: LanceMaterializedViewUdtfEntry;
}

/** The definition fields of CreateMaterializedView (the contract checked their types). */
export type MaterializedViewInput = Partial<Pick<LanceCreateMaterializedViewRequest, 'kind' | 'source_query' | 'output_schema' | 'udtf_spec'>>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Checks the definition (400 naming the field); nothing about the caller or the catalog is read. */
export function checkMaterializedViewDefinition(input: MaterializedViewInput): MaterializedViewDefinition {
  if (input.kind !== 'query' && input.kind !== 'udtf' && input.kind !== 'chunker') throw validation('kind must be one of query, udtf, chunker');
  if (typeof input.source_query !== 'string' || input.source_query.trim() === '') throw validation('source_query must be a non-empty string');
  if (typeof input.output_schema !== 'string' || input.output_schema.length === 0 || !BASE64.test(input.output_schema))
    throw validation('output_schema must be the base64 encoding of an Arrow schema');
  const spec = input.udtf_spec ?? undefined;
  const definition: MaterializedViewDefinition = { kind: input.kind, sourceQuery: input.source_query, outputSchema: input.output_schema };
  if (input.kind === 'query') {
    if (spec !== undefined) throw validation('udtf_spec is only for udtf and chunker views, not a query view');
    return definition;
  }
  if (spec === undefined) throw validation(`udtf_spec is required for a ${input.kind} view`);
  if (spec.kind !== input.kind) throw validation(`udtf_spec.kind (${String(spec.kind)}) must equal the view's kind (${input.kind})`);
  if (!BASE64.test(spec.udtf)) throw validation('udtf_spec.udtf must be base64');
  // The spec's checksum: the SHA-256 of the base64 payload (as Geneva computes it), in hex.
  const sha = createHash('sha256').update(spec.udtf, 'ascii').digest('hex');
  if (spec.udtf_sha.toLowerCase() !== sha) throw validation('udtf_spec.udtf_sha is not the SHA-256 of udtf');
  return { ...definition, udtfSpec: spec };
}

/**
 * What needs an engine the catalog does not have: an initial refresh (`with_no_data: false`) or refreshes when the
 * source changes (`auto_refresh: true`). Refused (406) before anything is stored.
 */
export function checkNoEngineNeeded(input: Partial<Pick<LanceCreateMaterializedViewRequest, 'with_no_data' | 'auto_refresh'>>): void {
  if (input.with_no_data === false)
    throw new CatalogError(
      'ERR_NOT_IMPLEMENTED',
      "with_no_data false is not supported: this catalog stores a materialized view's definition and runs no query engine; create the view with no data and have the engine that computes it write its data",
    );
  if (input.auto_refresh === true)
    throw new CatalogError('ERR_NOT_IMPLEMENTED', 'auto_refresh is not supported: this catalog runs no query engine to refresh a view when its source changes');
}

/** The definition as the `materialized_view.*` properties a client reads. */
export function materializedViewProperties(definition: MaterializedViewDefinition): Record<string, string> {
  return {
    [`${MATERIALIZED_VIEW_PREFIX}kind`]: definition.kind,
    [`${MATERIALIZED_VIEW_PREFIX}source_query`]: definition.sourceQuery,
    [`${MATERIALIZED_VIEW_PREFIX}output_schema`]: definition.outputSchema,
    ...(definition.udtfSpec !== undefined ? { [`${MATERIALIZED_VIEW_PREFIX}udtf_spec`]: JSON.stringify(definition.udtfSpec) } : {}),
  };
}

/** Properties a client sets on a table may not use the reserved prefix (400 naming the key). */
export function checkNoReservedProperties(properties: Record<string, string>): void {
  const reserved = Object.keys(properties).find((key) => key.startsWith(MATERIALIZED_VIEW_PREFIX));
  if (reserved !== undefined)
    throw validation(`property ${reserved} is reserved: ${MATERIALIZED_VIEW_PREFIX}* holds a materialized view's definition (CreateMaterializedView)`);
}
