import { describe, it, expect } from 'vitest';
import { applyTableUpdates, applyTableUpdatesDetailed, newTableMetadata, parseTableMetadata } from './table-metadata-builder.js';
import type { TableMetadata } from './types.js';
import { checkTableRequirements } from './table-requirements.js';

const T0 = 1_700_000_000_000;
const ctx = (nowMs = T0 + 10_000) => ({ nowMs, newUuid: () => '00000000-0000-4000-8000-000000000000' });
const err = (code: string, message?: string) => expect.objectContaining(message ? { code, message: expect.stringContaining(message) } : { code });

const requestSchema = {
  type: 'struct',
  'schema-id': 5,
  fields: [
    { id: 100, name: 'id', required: true, type: 'long' },
    { id: 200, name: 'data', required: false, type: 'string' },
    {
      id: 300,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 301, name: 'lat', required: false, type: 'double' }] },
    },
    { id: 400, name: 'ts', required: false, type: 'timestamptz' },
  ],
};

function createTable(formatVersion = 2, extra: Partial<Parameters<typeof newTableMetadata>[0]> = {}): TableMetadata {
  return newTableMetadata({
    schema: requestSchema,
    partitionSpec: { 'spec-id': 9, fields: [{ 'source-id': 400, 'field-id': 5000, name: 'ts_day', transform: 'day' }] },
    sortOrder: { 'order-id': 7, fields: [{ 'source-id': 100, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
    location: 's3://bucket/wh/ns/t/',
    properties: { owner: 'me', 'format-version': String(formatVersion) },
    uuid: '11111111-1111-4111-8111-111111111111',
    nowMs: T0,
    ...extra,
  });
}

const snapshot = (id: number | bigint, seq: number, parent?: number | bigint, extra: Record<string, unknown> = {}) => ({
  'snapshot-id': id,
  ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
  'sequence-number': seq,
  'timestamp-ms': T0 + seq * 1000,
  'manifest-list': `s3://bucket/wh/ns/t/metadata/snap-${id}.avro`,
  summary: { operation: 'append' },
  'schema-id': 0,
  ...extra,
});

const commitSnapshot = (base: TableMetadata, id: number | bigint, seq: number, parent?: number | bigint, extra = {}) =>
  applyTableUpdates(
    base,
    [
      { action: 'add-snapshot', snapshot: snapshot(id, seq, parent, extra) },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
    ctx(T0 + 100_000),
  );

describe('newTableMetadata', () => {
  it('assigns fresh ids and rebinds spec and sort order', () => {
    const md = createTable();
    expect(md['format-version']).toBe(2);
    expect(md.location).toBe('s3://bucket/wh/ns/t');
    expect(md['current-schema-id']).toBe(0);
    expect(md.schemas).toHaveLength(1);
    expect(md.schemas[0]!.fields.map((f) => [f.name, f.id])).toEqual([
      ['id', 1],
      ['data', 2],
      ['loc', 3],
      ['ts', 4],
    ]);
    expect(md['last-column-id']).toBe(5); // loc.lat = 5
    expect(md['partition-specs']).toEqual([{ 'spec-id': 0, fields: [{ 'field-id': 1000, 'source-id': 4, name: 'ts_day', transform: 'day' }] }]);
    expect(md['last-partition-id']).toBe(1000);
    expect(md['sort-orders']).toEqual([{ 'order-id': 1, fields: [{ transform: 'identity', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' }] }]);
    expect(md['default-sort-order-id']).toBe(1);
    expect(md.properties).toEqual({ owner: 'me', 'write.parquet.compression-codec': 'zstd' });
    expect(md['current-snapshot-id']).toBe(-1);
    expect(md['last-sequence-number']).toBe(0);
    expect(md['last-updated-ms']).toBe(T0);
    expect(md['next-row-id']).toBeUndefined();
    expect(md.schema).toBeUndefined();
    expect(md['snapshot-log']).toEqual([]);
    expect(md['metadata-log']).toEqual([]);
    expect(md.refs).toEqual({});
  });

  it('unpartitioned and unsorted: last-partition-id 999 and order 0', () => {
    const md = newTableMetadata({ schema: requestSchema, location: 'file:///t', nowMs: T0 });
    expect(md['partition-specs']).toEqual([{ 'spec-id': 0, fields: [] }]);
    expect(md['last-partition-id']).toBe(999);
    expect(md['sort-orders']).toEqual([{ 'order-id': 0, fields: [] }]);
    expect(md['default-sort-order-id']).toBe(0);
  });

  it('writes legacy v1 fields and v3 row lineage fields', () => {
    const v1 = createTable(1);
    expect(v1['format-version']).toBe(1);
    expect(v1.schema).toEqual(v1.schemas[0]);
    expect(v1['partition-spec']).toEqual(v1['partition-specs'][0]!.fields);
    expect(v1['last-sequence-number']).toBeUndefined();
    const v3 = createTable(3);
    expect(v3['next-row-id']).toBe(0);
    expect(v3['current-snapshot-id']).toBeNull();
  });

  it('rejects bad input as validation errors', () => {
    expect(() => createTable(4)).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'Unsupported format version'));
    expect(() => createTable(2, { partitionSpec: { fields: [{ 'source-id': 999, name: 'x', transform: 'identity' }] } })).toThrowError(
      err('ERR_VALIDATION', 'source column'),
    );
    expect(() => createTable(2, { partitionSpec: { fields: [{ 'source-id': 200, name: 'd', transform: 'hour' }] } })).toThrowError(
      err('ERR_VALIDATION', 'transform'),
    );
    expect(() =>
      createTable(2, {
        schema: { type: 'struct', fields: [{ id: 1, name: 'n', required: false, type: 'timestamp_ns' }] },
        partitionSpec: undefined,
        sortOrder: undefined,
      }),
    ).toThrowError(err('ERR_VALIDATION', 'v3'));
  });
});

describe('applyTableUpdates: schemas, specs, sort orders', () => {
  it('adds a schema and resolves set-current-schema -1', () => {
    const base = createTable();
    const evolved = {
      type: 'struct',
      'schema-id': 0,
      fields: [...base.schemas[0]!.fields, { id: 6, name: 'extra', required: false, type: 'int' }],
    };
    const { metadata: md, changes } = applyTableUpdatesDetailed(
      base,
      [
        { action: 'add-schema', schema: evolved },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
      ctx(),
    );
    expect(md.schemas.map((s) => s['schema-id'])).toEqual([0, 1]);
    expect(md['current-schema-id']).toBe(1);
    expect(md['last-column-id']).toBe(6);
    expect(md['last-updated-ms']).toBe(T0 + 10_000);
    expect(changes.map((c) => c.action)).toEqual(['add-schema', 'set-current-schema']);
  });

  it('reuses an identical schema instead of adding a duplicate', () => {
    const base = createTable();
    const same = { ...base.schemas[0]!, 'schema-id': 42 };
    const md = applyTableUpdates(
      base,
      [
        { action: 'add-schema', schema: same },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
      ctx(),
    );
    expect(md).toBe(base); // nothing changed
  });

  it('fails -1 when nothing was added', () => {
    const base = createTable();
    expect(() => applyTableUpdates(base, [{ action: 'set-current-schema', 'schema-id': -1 }], ctx())).toThrowError(
      err('ERR_VALIDATION', 'no schema has been added'),
    );
    expect(() => applyTableUpdates(base, [{ action: 'set-default-spec', 'spec-id': -1 }], ctx())).toThrowError(err('ERR_VALIDATION'));
    expect(() => applyTableUpdates(base, [{ action: 'set-default-sort-order', 'sort-order-id': -1 }], ctx())).toThrowError(err('ERR_VALIDATION'));
    expect(() => applyTableUpdates(base, [{ action: 'set-current-schema', 'schema-id': 3 }], ctx())).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'unknown schema'),
    );
  });

  it('adds a spec with fresh field ids after last-partition-id, and reuses equivalent specs', () => {
    const base = createTable();
    const md = applyTableUpdates(
      base,
      [
        { action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'id_bucket', transform: 'bucket[16]' }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
      ],
      ctx(),
    );
    expect(md['partition-specs'][1]).toEqual({
      'spec-id': 1,
      fields: [{ 'field-id': 1001, 'source-id': 1, name: 'id_bucket', transform: 'bucket[16]' }],
    });
    expect(md['default-spec-id']).toBe(1);
    expect(md['last-partition-id']).toBe(1001);

    // same fields again (field ids ignored): reused, back to spec 0 via -1
    const again = applyTableUpdates(
      md,
      [
        { action: 'add-spec', spec: { 'spec-id': 77, fields: [{ 'source-id': 4, 'field-id': 1000, name: 'ts_day', transform: 'day' }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
      ],
      ctx(),
    );
    expect(again['partition-specs']).toHaveLength(2);
    expect(again['default-spec-id']).toBe(0);
  });

  it('validates specs against the current schema', () => {
    const base = createTable();
    const bad = (fields: unknown[]) => () => applyTableUpdates(base, [{ action: 'add-spec', spec: { fields } }], ctx());
    expect(bad([{ 'source-id': 3, name: 'loc', transform: 'identity' }])).toThrowError(err('ERR_VALIDATION', 'non-primitive'));
    expect(bad([{ 'source-id': 2, name: 'id', transform: 'identity' }])).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot create identity partition sourced from different field in schema: id'),
    );
    expect(
      bad([
        { 'source-id': 2, name: 'a', transform: 'identity' },
        { 'source-id': 1, name: 'a', transform: 'identity' },
      ]),
    ).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'Cannot use partition name more than once: a'));
    expect(bad([{ 'source-id': 2, name: 'a', transform: 'bucket[0]' }])).toThrowError(err('ERR_ILLEGAL_ARGUMENT'));
    // nested struct sources are fine
    expect(bad([{ 'source-id': 5, name: 'lat', transform: 'identity' }])).not.toThrow();
  });

  it('adds sort orders with reuse and unsorted id 0', () => {
    const base = createTable();
    const md = applyTableUpdates(
      base,
      [
        {
          action: 'add-sort-order',
          'sort-order': { 'order-id': 1, fields: [{ 'source-id': 2, transform: 'identity', direction: 'DESC', 'null-order': 'nulls-last' }] },
        },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
      ],
      ctx(),
    );
    expect(md['sort-orders'].map((o) => o['order-id'])).toEqual([1, 2]);
    expect(md['default-sort-order-id']).toBe(2);
    expect(md['sort-orders'][1]!.fields[0]!.direction).toBe('desc');
    const unsorted = applyTableUpdates(
      md,
      [
        { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
      ],
      ctx(),
    );
    expect(unsorted['default-sort-order-id']).toBe(0);
    expect(unsorted['sort-orders'].map((o) => o['order-id'])).toEqual([1, 2, 0]);
  });

  it('removes specs and schemas but never the default/current ones', () => {
    const base = applyTableUpdates(createTable(), [{ action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'b', transform: 'bucket[4]' }] } }], ctx());
    expect(() => applyTableUpdates(base, [{ action: 'remove-partition-specs', 'spec-ids': [0] }], ctx())).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot remove the default partition spec'),
    );
    const md = applyTableUpdates(base, [{ action: 'remove-partition-specs', 'spec-ids': [1] }], ctx());
    expect(md['partition-specs'].map((s) => s['spec-id'])).toEqual([0]);
    expect(md['last-partition-id']).toBe(1001);
    expect(() => applyTableUpdates(base, [{ action: 'remove-schemas', 'schema-ids': [0] }], ctx())).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot remove the current schema'),
    );
  });
});

describe('applyTableUpdates: snapshots and refs', () => {
  it('adds a snapshot, moves main, logs it, bumps last-sequence-number', () => {
    const md = commitSnapshot(createTable(), 3051729675574597004n, 1);
    expect(md['current-snapshot-id']).toBe(3051729675574597004n);
    expect(md.refs).toEqual({ main: { 'snapshot-id': 3051729675574597004n, type: 'branch' } });
    expect(md['last-sequence-number']).toBe(1);
    expect(md['snapshot-log']).toEqual([{ 'timestamp-ms': T0 + 1000, 'snapshot-id': 3051729675574597004n }]);
  });

  it('keeps a negative snapshot id on main as the current snapshot (only -1 means none), as Iceberg Java does', () => {
    for (const version of [2, 3]) {
      const md = commitSnapshot(createTable(version), -7, 1, undefined, version === 3 ? { 'first-row-id': 0, 'added-rows': 0 } : {});
      expect(md['current-snapshot-id']).toBe(-7);
      expect(md.refs).toEqual({ main: { 'snapshot-id': -7, type: 'branch' } });
      // The file reads back (main and the current snapshot agree), and a requirement on main sees the snapshot.
      const next = applyTableUpdates(md, [{ action: 'set-properties', updates: { k: 'v' } }], ctx(T0 + 200_000));
      expect(next['current-snapshot-id']).toBe(-7);
      const { refs: _refs, ...withoutRefs } = md;
      for (const base of [md, withoutRefs as TableMetadata]) {
        expect(() => checkTableRequirements(base, [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': -7 }])).not.toThrow();
        expect(() => checkTableRequirements(base, [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }])).toThrowError(
          err('ERR_COMMIT_CONFLICT'),
        );
      }
    }
  });

  it('refuses a negative sequence number, which would also move last-sequence-number below 0', () => {
    for (const parent of [undefined, 1]) {
      const base = parent === undefined ? createTable() : commitSnapshot(createTable(), 1, 1);
      expect(() => commitSnapshot(base, 2, -4, parent)).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'sequence-number'));
    }
  });

  it('refuses stale sequence numbers as a commit conflict', () => {
    const md = commitSnapshot(createTable(), 1, 1);
    expect(() => commitSnapshot(md, 2, 1, 1)).toThrowError(err('ERR_COMMIT_CONFLICT', 'sequence number'));
    expect(() => commitSnapshot(md, 1, 2, 1)).toThrowError(err('ERR_VALIDATION', 'already exists'));
  });

  it("refuses a replace's snapshot (no parent) numbered below the table's last sequence number as a commit conflict; equal is allowed", () => {
    // A replace prepared at sequence 1 (its snapshot numbered 2), then two appends committed first (2 and 3).
    const md = commitSnapshot(commitSnapshot(commitSnapshot(createTable(), 1, 1), 2, 2, 1), 3, 3, 2);
    expect(() => commitSnapshot(md, 10, 2)).toThrowError(err('ERR_COMMIT_CONFLICT', 'older than last sequence number 3'));
    // One append first: the replace's number is the table's last, as Iceberg Java accepts; the newest snapshot is current.
    const replaced = commitSnapshot(commitSnapshot(commitSnapshot(createTable(), 1, 1), 2, 2, 1), 10, 2);
    expect(replaced['last-sequence-number']).toBe(2);
    expect(replaced['current-snapshot-id']).toBe(10);
  });

  it('drops intermediate snapshots from the snapshot log', () => {
    const md = applyTableUpdates(
      createTable(),
      [
        { action: 'add-snapshot', snapshot: snapshot(1, 1) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 },
        { action: 'add-snapshot', snapshot: snapshot(2, 2, 1) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 2 },
      ],
      ctx(T0 + 100_000),
    );
    expect(md['snapshot-log'].map((e) => e['snapshot-id'])).toEqual([2]);
    expect(md['current-snapshot-id']).toBe(2);
  });

  it('logs a rollback at the time of the change', () => {
    let md = commitSnapshot(createTable(), 1, 1);
    md = commitSnapshot(md, 2, 2, 1);
    const rolled = applyTableUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 }], ctx(T0 + 200_000));
    expect(rolled['snapshot-log']).toEqual([
      { 'timestamp-ms': T0 + 1000, 'snapshot-id': 1 },
      { 'timestamp-ms': T0 + 2000, 'snapshot-id': 2 },
      { 'timestamp-ms': T0 + 200_000, 'snapshot-id': 1 },
    ]);
  });

  it('validates refs', () => {
    const md = commitSnapshot(createTable(), 1, 1);
    expect(() => applyTableUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'tag', 'snapshot-id': 1 }], ctx())).toThrowError(
      err('ERR_VALIDATION', 'must be a branch'),
    );
    expect(() => applyTableUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 'b', type: 'branch', 'snapshot-id': 9 }], ctx())).toThrowError(
      err('ERR_VALIDATION', 'unknown snapshot'),
    );
    expect(() =>
      applyTableUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 't', type: 'tag', 'snapshot-id': 1, 'min-snapshots-to-keep': 2 }], ctx()),
    ).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'Tags do not support setting minSnapshotsToKeep'));
    const tagged = applyTableUpdates(md, [{ action: 'set-snapshot-ref', 'ref-name': 't', type: 'tag', 'snapshot-id': 1, 'max-ref-age-ms': 1000 }], ctx());
    expect(tagged.refs.t).toEqual({ 'snapshot-id': 1, type: 'tag', 'max-ref-age-ms': 1000 });
    expect(tagged['snapshot-log']).toEqual(md['snapshot-log']);
  });

  it('remove-snapshots drops dangling refs, statistics, and history before the gap', () => {
    let md = commitSnapshot(createTable(), 1, 1);
    md = commitSnapshot(md, 2, 2, 1);
    md = applyTableUpdates(
      md,
      [
        { action: 'set-snapshot-ref', 'ref-name': 'old', type: 'tag', 'snapshot-id': 1 },
        {
          action: 'set-statistics',
          statistics: { 'snapshot-id': 1, 'statistics-path': 's3://x/1.stats', 'file-size-in-bytes': 10, 'file-footer-size-in-bytes': 2, 'blob-metadata': [] },
        },
        { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 1, 'statistics-path': 's3://x/1.pstats', 'file-size-in-bytes': 5 } },
      ],
      ctx(T0 + 150_000),
    );
    expect(md.statistics).toHaveLength(1);
    const { metadata: after, changes } = applyTableUpdatesDetailed(md, [{ action: 'remove-snapshots', 'snapshot-ids': [1] }], ctx(T0 + 160_000));
    expect(after.snapshots.map((s) => s['snapshot-id'])).toEqual([2]);
    expect(Object.keys(after.refs)).toEqual(['main']);
    expect(after.statistics).toEqual([]);
    expect(after['partition-statistics']).toEqual([]);
    expect(after['snapshot-log']).toEqual([{ 'timestamp-ms': T0 + 2000, 'snapshot-id': 2 }]);
    expect(changes.map((c) => c.action)).toEqual(['remove-snapshots', 'remove-statistics', 'remove-partition-statistics', 'remove-snapshot-ref']);
  });

  it('removing the current snapshot unsets main and current-snapshot-id', () => {
    const md = commitSnapshot(createTable(), 1, 1);
    const after = applyTableUpdates(md, [{ action: 'remove-snapshots', 'snapshot-ids': [1] }], ctx(T0 + 160_000));
    expect(after['current-snapshot-id']).toBe(-1);
    expect(after.refs).toEqual({});
    expect(after['snapshot-log']).toEqual([]);
  });

  it('remove-snapshot-ref main unsets the current snapshot', () => {
    const md = commitSnapshot(createTable(), 1, 1);
    const after = applyTableUpdates(md, [{ action: 'remove-snapshot-ref', 'ref-name': 'main' }], ctx(T0 + 160_000));
    expect(after['current-snapshot-id']).toBe(-1);
    expect(after.snapshots).toHaveLength(1);
  });
});

describe('applyTableUpdates: v3 row lineage', () => {
  it('requires first-row-id, refuses one behind next-row-id, advances next-row-id by added-rows', () => {
    const base = createTable(3);
    expect(() => commitSnapshot(base, 1, 1)).toThrowError(err('ERR_VALIDATION', 'first-row-id'));
    const md = commitSnapshot(base, 1, 1, undefined, { 'first-row-id': 0, 'added-rows': 30 });
    expect(md['next-row-id']).toBe(30);
    expect(md.snapshots[0]!['first-row-id']).toBe(0);
    expect(() => commitSnapshot(md, 2, 2, 1, { 'first-row-id': 10, 'added-rows': 5 })).toThrowError(err('ERR_COMMIT_CONFLICT', 'first-row-id is behind'));
    const md2 = commitSnapshot(md, 2, 2, 1, { 'first-row-id': 30, 'added-rows': 5 });
    expect(md2['next-row-id']).toBe(35);
    expect(() => commitSnapshot(md, 2, 2, 1, { 'first-row-id': 30 })).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'added-rows'));
  });

  it('upgrades v2 to v3 and never downgrades', () => {
    const md = applyTableUpdates(createTable(2), [{ action: 'upgrade-format-version', 'format-version': 3 }], ctx());
    expect(md['format-version']).toBe(3);
    expect(md['next-row-id']).toBe(0);
    expect(md['current-snapshot-id']).toBeNull();
    expect(() => applyTableUpdates(md, [{ action: 'upgrade-format-version', 'format-version': 2 }], ctx())).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot downgrade v3 table to v2'),
    );
    expect(() => applyTableUpdates(md, [{ action: 'upgrade-format-version', 'format-version': 4 }], ctx())).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot upgrade table to unsupported format version: v4'),
    );
  });
});

describe('applyTableUpdates: properties, location, uuid, keys', () => {
  it('sets and removes properties; no-op updates keep the base object', () => {
    const base = createTable();
    const md = applyTableUpdates(
      base,
      [
        { action: 'set-properties', updates: { a: '1', owner: 'you' } },
        { action: 'remove-properties', removals: ['write.parquet.compression-codec', 'missing'] },
      ],
      ctx(),
    );
    expect(md.properties).toEqual({ owner: 'you', a: '1' });
    expect(applyTableUpdates(md, [{ action: 'set-properties', updates: { a: '1' } }], ctx())).toBe(md);
    expect(applyTableUpdates(md, [{ action: 'set-properties', updated: { b: '2' } }], ctx()).properties.b).toBe('2');
    expect(() => applyTableUpdates(md, [{ action: 'set-properties', updates: { a: 1 } }], ctx())).toThrowError(err('ERR_VALIDATION', 'updates.a'));
  });

  it('sets the location without trailing slash', () => {
    const md = applyTableUpdates(createTable(), [{ action: 'set-location', location: 's3://b/new/' }], ctx());
    expect(md.location).toBe('s3://b/new');
  });

  it('refuses to change the uuid of an existing table', () => {
    const base = createTable();
    expect(applyTableUpdates(base, [{ action: 'assign-uuid', uuid: base['table-uuid'].toUpperCase() }], ctx())).toBe(base);
    expect(() => applyTableUpdates(base, [{ action: 'assign-uuid', uuid: '22222222-2222-4222-8222-222222222222' }], ctx())).toThrowError(
      err('ERR_ILLEGAL_ARGUMENT', 'Cannot reassign uuid'),
    );
  });

  it('adds and removes encryption keys', () => {
    const md = applyTableUpdates(
      createTable(3),
      [{ action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k1', 'encrypted-key-metadata': 'AAAA' } }],
      ctx(),
    );
    expect(md['encryption-keys']).toEqual([{ 'key-id': 'k1', 'encrypted-key-metadata': 'AAAA' }]);
    const removed = applyTableUpdates(md, [{ action: 'remove-encryption-key', 'key-id': 'k1' }], ctx());
    expect(removed['encryption-keys']).toBeUndefined();
    // Key metadata is base64 (with or without padding), as Iceberg Java decodes it.
    expect(
      applyTableUpdates(createTable(3), [{ action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k2', 'encrypted-key-metadata': 'AAE' } }], ctx())[
        'encryption-keys'
      ],
    ).toHaveLength(1);
    for (const bad of ['!!!', 'AAAAA', 'AA=A', 'a b=']) {
      expect(() =>
        applyTableUpdates(createTable(3), [{ action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k3', 'encrypted-key-metadata': bad } }], ctx()),
      ).toThrowError(err('ERR_VALIDATION', 'not base64'));
    }
  });
});

describe('applyTableUpdates: untrusted input', () => {
  const base = createTable();
  it.each([
    [[{ action: 'frobnicate' }], 'frobnicate'],
    [[{ nope: 1 }], 'action'],
    [['x'], 'expected an object'],
    [[{ action: 'set-current-schema', 'schema-id': '1' }], 'schema-id'],
    [[{ action: 'add-snapshot' }], 'snapshot'],
    [[{ action: 'add-snapshot', snapshot: { 'snapshot-id': 1.5 } }], 'snapshot-id'],
    [[{ action: 'add-snapshot', snapshot: { ...snapshot(1, 1), 'snapshot-id': 2 ** 60 } }], 'lost precision'],
    [[{ action: 'remove-snapshots', 'snapshot-ids': 'all' }], 'snapshot-ids'],
    [[{ action: 'add-view-version', 'view-version': {} }], 'cannot be applied to a table'],
    [[{ action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'x' }] } }], 'transform'],
    [[{ action: 'set-snapshot-ref', 'ref-name': 'x', type: 'branchy', 'snapshot-id': 1 }], 'type'],
  ])('rejects %j with ERR_VALIDATION', (updates, message) => {
    expect(() => applyTableUpdates(base, updates, ctx())).toThrowError(err('ERR_VALIDATION', message));
  });
});

describe('create transactions (base null)', () => {
  const updates = (fv = 2) => [
    { action: 'assign-uuid', uuid: '33333333-3333-4333-8333-333333333333' },
    { action: 'upgrade-format-version', 'format-version': fv },
    {
      action: 'add-schema',
      schema: {
        type: 'struct',
        'schema-id': 0,
        fields: [
          { id: 1, name: 'id', required: true, type: 'long' },
          { id: 2, name: 'n', required: false, type: 'timestamp_ns' },
        ],
      },
      'last-column-id': 2,
    },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'id_b', transform: 'bucket[8]' }] } },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location: 's3://b/t' },
    { action: 'set-properties', updates: { 'write.parquet.compression-codec': 'zstd' } },
  ];

  it('builds from an empty builder using the first upgrade-format-version', () => {
    const md = applyTableUpdates(null, updates(3), ctx());
    expect(md['table-uuid']).toBe('33333333-3333-4333-8333-333333333333');
    expect(md['format-version']).toBe(3);
    expect(md['current-schema-id']).toBe(0);
    expect(md['last-column-id']).toBe(2);
    expect(md['default-spec-id']).toBe(0);
    expect(md['last-partition-id']).toBe(1000);
    expect(md['default-sort-order-id']).toBe(0);
    expect(md['metadata-log']).toEqual([]);
  });

  it('checks the schema against the requested format version', () => {
    expect(() => applyTableUpdates(null, updates(2), ctx())).toThrowError(err('ERR_VALIDATION', 'v3'));
  });

  it('fails without a schema or location, unless a default location is given', () => {
    expect(() => applyTableUpdates(null, [], ctx())).toThrowError(err('ERR_VALIDATION'));
    const noLocation = updates(3).filter((u) => u.action !== 'set-location');
    expect(() => applyTableUpdates(null, noLocation, ctx())).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'Table location is required'));
    const md = applyTableUpdates(null, noLocation, { ...ctx(), defaultLocation: (uuid) => `s3://b/default-${uuid}` });
    expect(md.location).toBe('s3://b/default-33333333-3333-4333-8333-333333333333');
  });
});

describe('parseTableMetadata', () => {
  it('round-trips metadata produced by the builder', () => {
    const md = commitSnapshot(createTable(3), 1, 1, undefined, { 'first-row-id': 0, 'added-rows': 1 });
    expect(parseTableMetadata(md)).toEqual(md);
  });

  it('reads a legacy v1 file with only schema and partition-spec', () => {
    const md = parseTableMetadata({
      'format-version': 1,
      'table-uuid': 'u',
      location: 's3://b/t',
      'last-updated-ms': T0,
      'last-column-id': 1,
      schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'int' }] },
      'partition-spec': [{ name: 'a', transform: 'identity', 'source-id': 1, 'field-id': 1000 }],
      properties: {},
      snapshots: [],
    });
    expect(md.schemas).toHaveLength(1);
    expect(md['partition-specs']).toEqual([{ 'spec-id': 0, fields: [{ 'field-id': 1000, 'source-id': 1, name: 'a', transform: 'identity' }] }]);
    expect(md['last-partition-id']).toBe(1000);
    expect(md['current-snapshot-id']).toBe(-1);
  });

  it('refuses metadata whose refs point nowhere', () => {
    const md = commitSnapshot(createTable(), 1, 1);
    expect(() => parseTableMetadata({ ...md, snapshots: [] })).toThrowError(err('ERR_ILLEGAL_ARGUMENT', 'does not exist in the existing snapshots list'));
  });
});
