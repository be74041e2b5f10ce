/**
 * Calls whose table the catalog itself writes or defines: AlterTableAddColumns (the catalog adds the columns through
 * the Lance library as one new managed version) and CreateMaterializedView (a definition on a declared table with no
 * data). Called through LanceNamespace (namespace.ts), which lends these its transport (calls.ts).
 */
import type {
  LanceAddColumnsEntry,
  LanceAlterTableAddColumnsResponse,
  LanceCreateMaterializedViewResponse,
  LanceMaterializedViewKind,
  LanceMaterializedViewUdtfEntry,
} from '@lakegate/protocol';
import type { LanceCalls } from './calls.js';

export async function addColumns(
  calls: LanceCalls,
  id: string[],
  columns: LanceAddColumnsEntry[],
  options: { branch?: string },
): Promise<LanceAlterTableAddColumnsResponse> {
  const { body } = await calls.send<LanceAlterTableAddColumnsResponse>({
    method: 'POST',
    path: calls.path('table', id, 'add_columns'),
    body: { id, new_columns: columns, ...(options.branch !== undefined ? { branch: options.branch } : {}) },
  });
  return body;
}

export async function createMaterializedView(
  calls: LanceCalls,
  id: string[],
  definition: { kind: LanceMaterializedViewKind; sourceQuery: string; outputSchemaBase64: string; udtfSpec?: LanceMaterializedViewUdtfEntry },
): Promise<LanceCreateMaterializedViewResponse> {
  const { body } = await calls.send<LanceCreateMaterializedViewResponse>({
    method: 'POST',
    path: calls.path('materialized_view', id, 'create'),
    body: {
      id,
      kind: definition.kind,
      source_query: definition.sourceQuery,
      output_schema: definition.outputSchemaBase64,
      ...(definition.udtfSpec !== undefined ? { udtf_spec: definition.udtfSpec } : {}),
    },
  });
  return body;
}
