/**
 * Commits that Iceberg Java's REST fixture accepted or refused differently from Lakegate, found by
 * sending the same requests to both and parsing Lakegate's files with Java's TableMetadataParser: each
 * case below was a commit Lakegate accepted and wrote a file Java refuses to read (or reads wrongly).
 */
import { describe, expect, it } from 'vitest';
import { applyTableUpdates, newTableMetadata } from './table-metadata-builder.js';
import type { TableMetadata } from './types.js';
import { applyViewUpdates, newViewMetadata } from './view-metadata-builder.js';

const T0 = 1_700_000_000_000;
const ctx = { nowMs: T0 + 10_000, newUuid: () => '00000000-0000-4000-8000-000000000000' };
const err = (code: string, message: string) => expect.objectContaining({ code, message: expect.stringContaining(message) });

const fields = [
  { id: 1, name: 'id', required: true, type: 'long' },
  { id: 2, name: 'data', required: false, type: 'string' },
  { id: 3, name: 'ts', required: false, type: 'timestamp' },
];
const table = (formatVersion = 2): TableMetadata =>
  newTableMetadata({
    schema: { type: 'struct', fields },
    location: 's3://bucket/wh/ns/t',
    properties: { 'format-version': String(formatVersion) },
    uuid: '11111111-1111-4111-8111-111111111111',
    nowMs: T0,
  });
const apply = (base: TableMetadata, ...updates: unknown[]) => applyTableUpdates(base, updates, ctx);
const newSchema = (...columns: unknown[]) => [
  { action: 'add-schema', schema: { type: 'struct', fields: columns } },
  { action: 'set-current-schema', 'schema-id': -1 },
];
const spec = (...specFields: unknown[]) => [
  { action: 'add-spec', spec: { fields: specFields } },
  { action: 'set-default-spec', 'spec-id': -1 },
];
const order = (...orderFields: unknown[]) => [
  { action: 'add-sort-order', 'sort-order': { fields: orderFields } },
  { action: 'set-default-sort-order', 'sort-order-id': -1 },
];

describe('every partition spec and sort order is checked against the current schema, as a reader binds them', () => {
  it('refuses a column named like a partition field of another source, in the default spec or an older one', () => {
    const partitioned = apply(table(), ...spec({ 'source-id': 1, 'field-id': 1000, name: 'pb', transform: 'bucket[4]' }));
    const conflict = { id: 4, name: 'pb', required: false, type: 'int' };
    expect(() => apply(partitioned, ...newSchema(...fields, conflict))).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot create identity partition sourced from different field in schema: pb'),
    );
    // The spec no longer the default: Java still binds its names.
    const older = apply(partitioned, { action: 'set-default-spec', 'spec-id': 0 });
    expect(() => apply(older, ...newSchema(...fields, conflict))).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'pb'));
    // A renamed column and a nested one count too; a different name does not.
    const renamed = fields.map((f) => (f.id === 2 ? { ...f, name: 'pb' } : f));
    expect(() => apply(older, ...newSchema(...renamed))).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'pb'));
    const dotted = apply(table(), ...spec({ 'source-id': 1, 'field-id': 1000, name: 's.y', transform: 'void' }));
    const nested = { id: 4, name: 's', required: false, type: { type: 'struct', fields: [{ id: 5, name: 'y', required: false, type: 'int' }] } };
    expect(() => apply(dotted, ...newSchema(...fields, nested))).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 's.y'));
    expect(apply(older, ...newSchema(...fields, { ...conflict, name: 'pc' }))['current-schema-id']).toBe(1);
  });

  it('allows a partition field named like its own source column, and checks the name even when the source is dropped', () => {
    const identity = apply(table(), ...spec({ 'source-id': 2, 'field-id': 1000, name: 'data', transform: 'identity' }));
    expect(apply(identity, ...newSchema(...fields, { id: 4, name: 'x', required: false, type: 'int' }))['current-schema-id']).toBe(1);
    const older = apply(identity, { action: 'set-default-spec', 'spec-id': 0 });
    // Column 2 dropped, and a new column takes its name: the older spec's field "data" now names another column.
    const dropped = fields.filter((f) => f.id !== 2);
    expect(apply(older, ...newSchema(...dropped))['current-schema-id']).toBe(1);
    expect(() => apply(older, ...newSchema(...dropped, { id: 4, name: 'data', required: false, type: 'string' }))).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'data'),
    );
  });

  it("refuses a schema change under which an older spec's transform no longer applies; a dropped source stays allowed", () => {
    let md = apply(
      table(),
      ...spec(
        { 'source-id': 2, 'field-id': 1000, name: 'd4', transform: 'truncate[4]' },
        { 'source-id': 3, 'field-id': 1001, name: 'ts_day', transform: 'day' },
      ),
    );
    md = apply(md, ...order({ 'source-id': 3, transform: 'month', direction: 'asc', 'null-order': 'nulls-first' }));
    md = apply(md, { action: 'set-default-spec', 'spec-id': 0 }, { action: 'set-default-sort-order', 'sort-order-id': 0 });
    const retyped = (id: number, type: unknown) => fields.map((f) => (f.id === id ? { ...f, type } : f));
    expect(() => apply(md, ...newSchema(...retyped(2, 'boolean')))).toThrowError(
      err('ERR_VALIDATION', 'partition spec 1.fields[0]: invalid source type boolean for transform truncate[4]'),
    );
    expect(() => apply(md, ...newSchema(...retyped(3, 'string')))).toThrowError(err('ERR_VALIDATION', 'invalid source type string for transform day'));
    expect(() => apply(md, ...newSchema(...retyped(3, { type: 'struct', fields: [] })))).toThrowError(err('ERR_VALIDATION', 'non-primitive'));
    // An older sort order is read without its columns' types: a change under it is allowed (as Java reads it), the
    // default order's is not.
    const ordered = apply(table(), ...order({ 'source-id': 2, transform: 'truncate[2]', direction: 'asc', 'null-order': 'nulls-first' }));
    expect(() => apply(ordered, ...newSchema(...retyped(2, 'double')))).toThrowError(err('ERR_VALIDATION', 'default sort order.fields[0]'));
    const unsorted = apply(ordered, { action: 'set-default-sort-order', 'sort-order-id': 0 });
    expect(apply(unsorted, ...newSchema(...retyped(2, 'double')))['current-schema-id']).toBe(1);
    // Sources dropped: readable (Java binds such a field without a type), so allowed.
    expect(apply(md, ...newSchema(fields[0]))['current-schema-id']).toBe(1);
    // A compatible change (timestamp to timestamptz keeps day and month) is fine.
    expect(apply(md, ...newSchema(...retyped(3, 'timestamptz')))['current-schema-id']).toBe(1);
  });
});

describe('ids are 32-bit: one past 2147483647 is refused, not written', () => {
  it('partition field ids', () => {
    const md = apply(table(), ...spec({ 'source-id': 1, 'field-id': 2147483647, name: 'p', transform: 'identity' }));
    expect(md['last-partition-id']).toBe(2147483647);
    expect(() => apply(md, ...spec({ 'source-id': 2, name: 'q', transform: 'identity' }))).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot assign a new partition field id: 2147483647 is the largest'),
    );
  });

  it('view version ids', () => {
    const schema = { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'int' }] };
    const version = (id: number, sql: string) => ({
      'version-id': id,
      'timestamp-ms': T0,
      'schema-id': 0,
      summary: { engine: 'test' },
      'default-namespace': ['ns'],
      representations: [{ type: 'sql', sql, dialect: 'spark' }],
    });
    const view = newViewMetadata({ schema, viewVersion: version(1, 'select 1'), location: 's3://b/v', uuid: 'v', nowMs: T0 });
    const addVersion = (v: unknown) => [
      { action: 'add-view-version', 'view-version': v },
      { action: 'set-current-view-version', 'view-version-id': -1 },
    ];
    const high = applyViewUpdates(view, addVersion(version(2147483647, 'select 2')), ctx);
    expect(high['current-version-id']).toBe(2147483647);
    expect(() => applyViewUpdates(high, addVersion(version(5, 'select 3')), ctx)).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot assign a new view version id: 2147483647 is the largest'),
    );
  });
});

describe('snapshots and column ids', () => {
  it('a v2+ snapshot needs a manifest-list (manifests is a v1 field; v3 row lineage would be lost)', () => {
    const snapshot = (extra: Record<string, unknown>) => ({
      action: 'add-snapshot',
      snapshot: { 'snapshot-id': 1, 'sequence-number': 1, 'timestamp-ms': T0, summary: { operation: 'append' }, 'first-row-id': 0, 'added-rows': 10, ...extra },
    });
    for (const v of [2, 3]) {
      expect(() => apply(table(v), snapshot({ manifests: ['s3://bucket/wh/ns/t/m1.avro'] }))).toThrowError(err('ERR_VALIDATION', 'without a manifest-list'));
    }
    expect(apply(table(1), snapshot({ manifests: ['s3://bucket/wh/ns/t/m1.avro'], 'sequence-number': 0 })).snapshots).toHaveLength(1);
    expect(apply(table(3), snapshot({ 'manifest-list': 's3://bucket/wh/ns/t/snap-1.avro' }))['next-row-id']).toBe(10);
  });

  it("last-column-id follows the schemas' field ids, not a client's hint", () => {
    const md = apply(table(), { action: 'add-schema', schema: { type: 'struct', fields }, 'last-column-id': 2147483647 });
    expect(md['last-column-id']).toBe(3);
    const added = apply(md, ...newSchema(...fields, { id: 4, name: 'x', required: false, type: 'int' }));
    expect(added['last-column-id']).toBe(4);
    // Dropping the highest column keeps the counter where it was.
    expect(apply(added, ...newSchema(...fields))['last-column-id']).toBe(4);
  });

  it('metadata-writing properties hold values a writer can act on', () => {
    const set = (key: string, value: string) => apply(table(), { action: 'set-properties', updates: { [key]: value } }).properties?.[key];
    expect(set('write.metadata.previous-versions-max', '5')).toBe('5');
    expect(set('write.metadata.compression-codec', 'GZIP')).toBe('GZIP');
    expect(set('write.metadata.compression-codec', 'none')).toBe('none');
    for (const [key, value] of [
      ['write.metadata.previous-versions-max', 'abc'],
      ['write.metadata.previous-versions-max', ' 5'],
      ['write.metadata.previous-versions-max', '9999999999'],
      ['write.metadata.compression-codec', 'zstd'],
    ] as const) {
      expect(() => set(key, value)).toThrowError(err('ERR_ILLEGAL_ARGUMENT', `Invalid value for ${key}`));
    }
    expect(() =>
      newTableMetadata({ schema: { type: 'struct', fields }, location: 's3://b/t', properties: { 'write.metadata.compression-codec': 'bogus' }, nowMs: T0 }),
    ).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'compression-codec'));
  });

  it("a view's compression codec holds a value its writer can act on, at create and set-properties", () => {
    const schema = { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'int' }] };
    const viewVersion = {
      'version-id': 1,
      'timestamp-ms': T0,
      'schema-id': 0,
      summary: {},
      'default-namespace': ['ns'],
      representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
    };
    const create = (properties: Record<string, string>) => newViewMetadata({ schema, viewVersion, location: 's3://b/v', uuid: 'v', properties, nowMs: T0 });
    const view = create({ 'write.metadata.compression-codec': 'GZIP' });
    expect(view.properties?.['write.metadata.compression-codec']).toBe('GZIP');
    const set = (value: string) => applyViewUpdates(view, [{ action: 'set-properties', updates: { 'write.metadata.compression-codec': value } }], ctx);
    expect(set('none').properties?.['write.metadata.compression-codec']).toBe('none');
    expect(() => set('zstd')).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'Invalid value for write.metadata.compression-codec'));
    expect(() => create({ 'write.metadata.compression-codec': 'snappy' })).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'compression-codec'));
    // previous-versions-max is a table's metadata-log bound: a view has none, and keeps what it is given, as in Java.
    expect(
      applyViewUpdates(view, [{ action: 'set-properties', updates: { 'write.metadata.previous-versions-max': 'abc' } }], ctx).properties?.[
        'write.metadata.previous-versions-max'
      ],
    ).toBe('abc');
  });
});
