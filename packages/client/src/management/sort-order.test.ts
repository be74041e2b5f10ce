import { describe, expect, it } from 'vitest';
import { parseCompactionOrder, parseSortOrder, SortOrderTextError } from './sort-order.js';

const ids: Record<string, number> = { id: 1, name: 2, ts: 3, 'odd name': 4 };
const parse = (text: string) => parseSortOrder(text, (c) => ids[c]);

describe('sort order text', () => {
  it("reads Spark's sort_order text into Iceberg sort fields, with Spark's defaults", () => {
    expect(parse('id')).toEqual([{ transform: 'identity', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' }]);
    expect(parse('id DESC')).toEqual([{ transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' }]);
    expect(parse('id desc nulls first, truncate(4, name) ASC NULLS LAST, days(ts)')).toEqual([
      { transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-first' },
      { transform: 'truncate[4]', 'source-id': 2, direction: 'asc', 'null-order': 'nulls-last' },
      { transform: 'day', 'source-id': 3, direction: 'asc', 'null-order': 'nulls-first' },
    ]);
    expect(parse('truncate(name, 8), bucket(16, id), hour(ts) desc, `odd name`')).toEqual([
      { transform: 'truncate[8]', 'source-id': 2, direction: 'asc', 'null-order': 'nulls-first' },
      { transform: 'bucket[16]', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' },
      { transform: 'hour', 'source-id': 3, direction: 'desc', 'null-order': 'nulls-last' },
      { transform: 'identity', 'source-id': 4, direction: 'asc', 'null-order': 'nulls-first' },
    ]);
  });

  it('refuses what it cannot read, naming the term, as a usage error', () => {
    for (const bad of ['', 'id,', 'id sideways', 'nope', 'zorder(id)', 'truncate(id)', 'truncate(4, nope)', 'days(ts, id)', 'id desc nulls middle']) {
      expect(() => parse(bad), bad).toThrow(SortOrderTextError);
    }
    expect(() => parse('nope desc')).toThrow(/no column "nope"/);
  });
});

describe('compaction order text', () => {
  const order = (text: string) => parseCompactionOrder(text, (c) => ids[c]);

  it("reads Spark's zorder(a, b) as a z-order's columns, and anything else as sort fields", () => {
    expect(order('zorder(id, name)')).toEqual({ zorder: { 'source-ids': [1, 2] } });
    expect(order(' ZORDER ( ts , `odd name` ) ')).toEqual({ zorder: { 'source-ids': [3, 4] } });
    expect(order('id desc')).toEqual({ fields: [{ transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' }] });
  });

  it('refuses a zorder of no column, of an unknown one, or with directions or transforms', () => {
    for (const bad of ['zorder()', 'zorder(id,)', 'zorder(id desc)', 'zorder(truncate(4, name))', 'zorder(nope)']) {
      expect(() => order(bad), bad).toThrow(SortOrderTextError);
    }
    expect(() => order('zorder(id, nope)')).toThrow(/no column "nope"/);
  });
});
