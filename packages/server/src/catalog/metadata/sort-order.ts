/**
 * Sort orders: parsing, validation against a schema, and comparison.
 *
 * Invariants enforced: order id 0 is the unsorted order and only it; every
 * sort field's source column exists, is primitive and accepts the transform.
 */
import { validation } from '../../errors/catalog-error.js';
import { strictKey } from './id-index.js';
import { asObject, optInt, reqArray, reqInt, reqString, sub } from './read.js';
import { isPrimitive, type SchemaIndex } from './schema.js';
import { canTransform, parseTransform } from './transforms.js';
import type { NullOrder, SortDirection, SortField } from './types.js';
import type { SortOrderInput } from './change-types.js';

export const UNSORTED_ORDER_ID = 0;
export const INITIAL_SORT_ORDER_ID = 1;

export function parseSortOrder(v: unknown, path = 'sort-order'): SortOrderInput {
  const o = asObject(v, path);
  const fields = reqArray(o, 'fields', path).map((f, i): SortField => {
    const p = sub(sub(path, 'fields'), i);
    const fo = asObject(f, p);
    const direction = reqString(fo, 'direction', p).toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') {
      throw validation(`Invalid ${sub(p, 'direction')}: expected 'asc' or 'desc' but got '${direction}'`);
    }
    const nullOrder = reqString(fo, 'null-order', p).toLowerCase().replace('_', '-');
    if (nullOrder !== 'nulls-first' && nullOrder !== 'nulls-last') {
      throw validation(`Invalid ${sub(p, 'null-order')}: expected 'nulls-first' or 'nulls-last' but got '${nullOrder}'`);
    }
    return {
      transform: parseTransform(reqString(fo, 'transform', p), sub(p, 'transform')).name,
      'source-id': reqInt(fo, 'source-id', p),
      direction: direction as SortDirection,
      'null-order': nullOrder as NullOrder,
    };
  });
  const order: SortOrderInput = { fields };
  const orderId = optInt(o, 'order-id', path);
  if (orderId !== undefined) order['order-id'] = orderId;
  return order;
}

export function checkSortOrderCompatibility(order: { fields: SortField[] }, schema: SchemaIndex, path = 'sort-order'): void {
  order.fields.forEach((f, i) => {
    const p = sub(sub(path, 'fields'), i);
    const source = schema.byId.get(f['source-id']);
    if (!source) throw validation(`Invalid ${p}: cannot find source column ${f['source-id']} for sort field`);
    if (!isPrimitive(source.type)) throw validation(`Invalid ${p}: cannot sort by non-primitive source field ${source.fullName}`);
    const transform = parseTransform(f.transform, p);
    if (!canTransform(transform, source.type)) {
      throw validation(`Invalid ${p}: invalid source type ${String(source.type)} for transform ${transform.name}`);
    }
  });
}

/** A key equal for two orders exactly when sameOrder calls them the same (id-index.ts). */
export function orderKey(order: { fields: SortField[] }): string {
  return order.fields.map((f) => `${strictKey(f.transform)},${strictKey(f['source-id'])},${strictKey(f.direction)},${strictKey(f['null-order'])}`).join(';');
}

/** Same sort fields in the same order, ignoring the order id. */
export function sameOrder(a: { fields: SortField[] }, b: { fields: SortField[] }): boolean {
  if (a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i] as SortField;
    return f.transform === g.transform && f['source-id'] === g['source-id'] && f.direction === g.direction && f['null-order'] === g['null-order'];
  });
}
