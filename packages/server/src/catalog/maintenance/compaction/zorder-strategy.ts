/**
 * Compaction's z-order (Spark's rewrite_data_files `strategy => 'sort', sort_order => 'zorder(a, b)'`; the request's
 * `sort-order: {"zorder": {"source-ids": [...]}}`): which columns' bits interleave, checked against the table's
 * current schema before anything is planned. As Iceberg's Spark z-order rewriter: top-level columns of boolean, int,
 * long, float, double, date, timestamp, string or binary type; a column the default spec partitions by identity is
 * dropped (constant within a group, which is one partition's), and z-ordering by identity partition columns only is
 * refused. Anything else (an unknown id, a nested field, another type, a column named twice) is a 400.
 */
import { validation } from '../../../errors/catalog-error.js';
import type { TableMetadata } from '../../metadata/index.js';
import type { StructField } from '../../metadata/types.js';
import { type RewriteZOrder, zorderColumnBytes, zorderable } from '../../planning/rewrite-ports.js';
import { typeName } from '../../planning/values.js';

/** Iceberg's defaults: 8 bytes of a string or binary column; the key takes every column's bytes. */
export const DEFAULT_VAR_LENGTH_CONTRIBUTION = 8;
/** Columns at most in one z-order (the key holds 8 bytes a column by default). */
export const MAX_ZORDER_COLUMNS = 32;
/**
 * Bytes of a row's z-order key at most (after max-output-size). The rewriter holds a key per row of the group beside
 * its rows and radix-sorts them a byte a pass, so the key's length multiplies both the memory and the passes: 32
 * string columns at a var-length-contribution of 1,024 would be 32 KiB a row (tens of GB for a 128 MB group) and 32 K
 * passes. 256 bytes is 32 columns of Iceberg's default 8, and as much as any z-order's first bytes decide in practice.
 */
export const MAX_ZORDER_KEY_BYTES = 256;

/** A z-order as a compaction request names it (`sort-order.zorder`). */
export interface RequestedZOrder {
  'source-ids': readonly number[];
  'var-length-contribution'?: number | undefined;
  'max-output-size'?: number | undefined;
}

/** True when field `id` is nested somewhere under `fields` (a struct's field, a list's element, a map's key or value). */
function nestedHas(fields: readonly StructField[], id: number): boolean {
  const inType = (t: unknown): boolean => {
    if (typeof t !== 'object' || t === null) return false;
    const o = t as { fields?: StructField[]; 'element-id'?: number; element?: unknown; 'key-id'?: number; 'value-id'?: number; key?: unknown; value?: unknown };
    if (o['element-id'] === id || o['key-id'] === id || o['value-id'] === id) return true;
    if (o.fields?.some((f) => f.id === id || inType(f.type))) return true;
    return inType(o.element) || inType(o.key) || inType(o.value);
  };
  return fields.some((f) => inType(f.type));
}

/** The rewriter's z-order for the request's, or a 400 saying what of it cannot be z-ordered. */
export function zorderOf(metadata: TableMetadata, requested: RequestedZOrder): RewriteZOrder {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const fields = schema?.fields ?? [];
  const spec = (metadata['partition-specs'] ?? []).find((s) => s['spec-id'] === metadata['default-spec-id']);
  const identity = new Set((spec?.fields ?? []).filter((f) => f.transform === 'identity').map((f) => f['source-id']));
  const seen = new Set<number>();
  const columns: { fieldId: number; sourceType: string }[] = [];
  requested['source-ids'].forEach((id, i) => {
    const at = `sort-order.zorder.source-ids[${i}]`;
    const column = fields.find((c) => c.id === id);
    if (column === undefined)
      throw validation(
        nestedHas(fields, id)
          ? `${at}: field ${id} is nested; zorder takes top-level columns only`
          : `${at}: field ${id} is not a column of the current schema`,
      );
    if (seen.has(id)) throw validation(`${at}: column ${column.name} is named twice in zorder`);
    seen.add(id);
    const type = typeName(column.type);
    if (!zorderable(type))
      throw validation(
        `${at}: cannot z-order by column ${column.name} of type ${type} (zorder takes boolean, int, long, float, double, date, timestamp, string and binary columns)`,
      );
    if (!identity.has(id)) columns.push({ fieldId: id, sourceType: type });
  });
  if (columns.length === 0)
    throw validation('zorder names only identity partition columns, constant within each rewritten group (one partition): nothing to z-order by');
  const varLength = requested['var-length-contribution'] ?? DEFAULT_VAR_LENGTH_CONTRIBUTION;
  const total = columns.reduce((n, c) => n + zorderColumnBytes(c.sourceType, varLength), 0);
  const maxOutputSize = Math.min(requested['max-output-size'] ?? total, total);
  if (maxOutputSize > MAX_ZORDER_KEY_BYTES)
    throw validation(
      `the z-order key would be ${maxOutputSize} bytes a row, more than ${MAX_ZORDER_KEY_BYTES}: lower sort-order.zorder.var-length-contribution or set max-output-size`,
    );
  return { columns, varLengthContribution: varLength, maxOutputSize };
}
