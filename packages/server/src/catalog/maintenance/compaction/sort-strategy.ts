/**
 * Which order a compaction writes rows in (Spark's rewrite_data_files `strategy`: 'binpack' | 'sort'). `sort` orders
 * each rewritten file's rows by the table's default sort order, and its manifest entry carries that order's id;
 * `binpack` keeps the inputs' order (and sort_order_id unset). Unnamed, a table with a default sort order (an id other
 * than 0, with fields) is compacted with `sort`, any other with `binpack`. Asking `sort` of an unsorted table, or of
 * an order this cannot write (bucket[N]; a column of another type than boolean, int, long, float, double, date,
 * timestamp, string or binary; a transform of a type it does not cover), is a 400; unnamed, such a table is
 * bin-packed as before. void fields order nothing and are dropped. A z-order (`sort-order: {"zorder": ...}`,
 * zorder-strategy.ts) is written instead of any order, as strategy `zorder`.
 */
import { validation } from '../../../errors/catalog-error.js';
import type { TableMetadata } from '../../metadata/index.js';
import { typeName } from '../../planning/values.js';
import type { RewriteSortKey, RewriteZOrder } from '../../planning/rewrite-ports.js';
import { type RequestedZOrder, zorderOf } from './zorder-strategy.js';

export type CompactionStrategy = 'binpack' | 'sort';
export const COMPACTION_STRATEGIES: readonly CompactionStrategy[] = ['binpack', 'sort'];
/** The strategy a compaction applied: zorder is strategy sort with a `zorder(...)` sort-order, as Spark spells it. */
export type AppliedStrategy = CompactionStrategy | 'zorder';

export interface SortPlan {
  /** The table's sort order the new files are written in, or null for a requested order the table does not have. */
  sortOrderId: number | null;
  keys: RewriteSortKey[];
  /** Z-order instead of keys (keys then empty): the files carry no sort order id (no Iceberg order says z-order). */
  zorder?: RewriteZOrder | undefined;
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

/** A sort field as a compaction request names it (the Iceberg sort field's shape; `sort-order` in the request). */
export interface RequestedSortField {
  transform: string;
  'source-id': number;
  direction: 'asc' | 'desc';
  'null-order': 'nulls-first' | 'nulls-last';
}

type SortFieldLike = RequestedSortField | { transform: string; 'source-id': number; direction: string; 'null-order': string };

const sameField = (a: SortFieldLike, b: SortFieldLike) =>
  a['source-id'] === b['source-id'] &&
  parseTransform(a.transform) === parseTransform(b.transform) &&
  a.direction === b.direction &&
  a['null-order'] === b['null-order'];

/**
 * The order a compaction writes in, or undefined for bin-packing; throws 400 for a `sort` it cannot honour. A
 * `requested` order (the request's `sort-order`, as Spark's rewrite_data_files `sort_order`) is written instead of the
 * table's default; the new files carry the id of the table's sort order with the same fields, or none when the table
 * has no such order (a file sorted by an order the table does not know says nothing of its order).
 */
export function sortPlanOf(
  metadata: TableMetadata,
  strategy: CompactionStrategy | undefined,
  requested?: readonly RequestedSortField[],
  zorder?: RequestedZOrder,
): SortPlan | undefined {
  if (zorder !== undefined) {
    if (strategy === 'binpack') throw validation('a zorder sort-order is the order strategy sort writes: it does not go with strategy binpack');
    return { sortOrderId: null, keys: [], zorder: zorderOf(metadata, zorder) };
  }
  if (requested !== undefined) {
    if (strategy === 'binpack') throw validation('sort-order is the order strategy sort writes: it does not go with strategy binpack');
    const fields = requested.filter((f) => parseTransform(f.transform) !== 'void');
    if (fields.length === 0) throw validation('sort-order orders by nothing (every field is void)');
    const keys = keysOf(metadata, fields, true)!;
    const known = (metadata['sort-orders'] ?? []).find((o) => {
      const own = o.fields.filter((f) => parseTransform(f.transform) !== 'void');
      return o['order-id'] !== 0 && own.length === fields.length && own.every((f, i) => sameField(f, fields[i]!));
    });
    return { sortOrderId: known ? known['order-id'] : null, keys };
  }
  if (strategy === 'binpack') return undefined;
  const id = metadata['default-sort-order-id'];
  const order = (metadata['sort-orders'] ?? []).find((o) => o['order-id'] === id);
  const fields = (order?.fields ?? []).filter((f) => parseTransform(f.transform) !== 'void');
  if (!order || id === 0 || fields.length === 0) {
    if (strategy === 'sort')
      throw validation(
        'strategy sort needs a table with a default sort order (replace-sort-order sets one) or a sort-order in the request; this table is unsorted',
      );
    return undefined;
  }
  const keys = keysOf(metadata, fields, strategy === 'sort');
  return keys && { sortOrderId: order['order-id'], keys };
}

/** The rewriter's keys for these fields; a field it cannot write is a 400 when `asked`, else undefined (bin-packed). */
function keysOf(metadata: TableMetadata, fields: readonly SortFieldLike[], asked: boolean): RewriteSortKey[] | undefined {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const keys: RewriteSortKey[] = [];
  for (const f of fields) {
    const column = schema?.fields.find((c) => c.id === f['source-id']);
    const transform = parseTransform(f.transform);
    const type = column ? typeName(column.type) : undefined;
    if (!column || type === undefined || !sortable(transform, type)) {
      if (!asked) return undefined;
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
  return keys;
}
