/**
 * Which order a compaction writes rows in (Spark's rewrite_data_files `strategy`: 'binpack' | 'sort'). `sort` orders
 * each rewritten file's rows by the table's default sort order, and its manifest entry carries that order's id;
 * `binpack` keeps the inputs' order (and sort_order_id unset). Unnamed, a table with a default sort order (an id other
 * than 0, with fields) is compacted with `sort`, any other with `binpack`. Asking `sort` of an unsorted table, or of
 * an order this cannot write (bucket[N]; a column of another type than boolean, int, long, float, double, date,
 * timestamp, string or binary; a transform of a type it does not cover), is a 400; unnamed, such a table is
 * bin-packed as before. void fields order nothing and are dropped.
 */
import { validation } from '../../../errors/catalog-error.js';
import type { TableMetadata } from '../../metadata/index.js';
import { typeName } from '../../planning/values.js';
import type { RewriteSortKey } from '../../planning/rewrite-ports.js';

export type CompactionStrategy = 'binpack' | 'sort';
export const COMPACTION_STRATEGIES: readonly CompactionStrategy[] = ['binpack', 'sort'];

export interface SortPlan {
  sortOrderId: number;
  keys: RewriteSortKey[];
}

const parseTransform = (t: string) => t.toLowerCase().replace(/\s+/g, '');

/** Whether a sort key of this transform and source type can be written (mirrors policy-files/sort-rows.ts). */
function sortable(transform: string, type: string): boolean {
  if (transform === 'identity') return ['boolean', 'int', 'long', 'float', 'double', 'date', 'string', 'binary'].includes(type) || type.startsWith('timestamp');
  if (/^truncate\[\d+\]$/.test(transform)) return ['int', 'long', 'string', 'binary'].includes(type);
  if (['year', 'month', 'day'].includes(transform)) return type === 'date' || type.startsWith('timestamp');
  if (transform === 'hour') return type.startsWith('timestamp');
  return false;
}

/** The order a compaction writes in, or undefined for bin-packing; throws 400 for a `sort` it cannot honour. */
export function sortPlanOf(metadata: TableMetadata, strategy: CompactionStrategy | undefined): SortPlan | undefined {
  if (strategy === 'binpack') return undefined;
  const id = metadata['default-sort-order-id'];
  const order = (metadata['sort-orders'] ?? []).find((o) => o['order-id'] === id);
  const fields = (order?.fields ?? []).filter((f) => parseTransform(f.transform) !== 'void');
  if (!order || id === 0 || fields.length === 0) {
    if (strategy === 'sort') throw validation('strategy sort needs a table with a default sort order (replace-sort-order sets one); this table is unsorted');
    return undefined;
  }
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const keys: RewriteSortKey[] = [];
  for (const f of fields) {
    const column = schema?.fields.find((c) => c.id === f['source-id']);
    const transform = parseTransform(f.transform);
    const type = column ? typeName(column.type) : undefined;
    if (!column || type === undefined || !sortable(transform, type)) {
      if (strategy !== 'sort') return undefined;
      throw validation(
        !column
          ? `the sort order's field ${f['source-id']} is not a column of the current schema`
          : transform.startsWith('bucket')
            ? `strategy sort does not write ${f.transform} sort fields yet (column ${column.name}); use strategy binpack`
            : `strategy sort cannot order by ${f.transform} of a ${type} column (${column.name}); use strategy binpack`,
      );
    }
    keys.push({ fieldId: column.id, sourceType: type, transform, descending: f.direction === 'desc', nullsFirst: f['null-order'] === 'nulls-first' });
  }
  return { sortOrderId: order['order-id'], keys };
}
