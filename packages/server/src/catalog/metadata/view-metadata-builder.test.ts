import { describe, it, expect } from 'vitest';
import type { ViewMetadata } from './types.js';
import { applyViewUpdates, applyViewUpdatesDetailed, checkViewRequirements, newViewMetadata, parseViewMetadata } from './view-metadata-builder.js';

const T0 = 1_700_000_000_000;
const ctx = (nowMs = T0 + 1000) => ({ nowMs, newUuid: () => 'v-uuid' });
const schema = { type: 'struct', 'schema-id': 3, fields: [{ id: 1, name: 'a', required: false, type: 'int' }] };
const version = (sql: string, dialect = 'spark', extra: Record<string, unknown> = {}) => ({
  'version-id': 1,
  'timestamp-ms': 123,
  'schema-id': 3,
  summary: { engine: 'test' },
  'default-namespace': ['ns'],
  representations: [{ type: 'sql', sql, dialect }],
  ...extra,
});

function create(): ViewMetadata {
  return newViewMetadata({ schema, viewVersion: version('select 1'), location: 's3://b/v', properties: { p: '1' }, uuid: 'v-uuid', nowMs: T0 });
}

describe('newViewMetadata', () => {
  it('creates version 1 with schema 0 and a version-log entry', () => {
    const md = create();
    expect(md).toEqual({
      'view-uuid': 'v-uuid',
      'format-version': 1,
      location: 's3://b/v',
      properties: { p: '1' },
      schemas: [{ type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'a', required: false, type: 'int' }] }],
      'current-version-id': 1,
      versions: [{ ...version('select 1'), 'schema-id': 0, 'timestamp-ms': T0 }],
      'version-log': [{ 'timestamp-ms': T0, 'version-id': 1 }],
    });
  });

  it('accepts a raw request plus context', () => {
    const md = newViewMetadata({ name: 'v', schema, 'view-version': version('select 1'), properties: {} }, { ...ctx(), location: 's3://b/v2' });
    expect(md.location).toBe('s3://b/v2');
    expect(md['view-uuid']).toBe('v-uuid');
  });

  it('rejects bad requests', () => {
    const bad = (viewVersion: unknown) => () => newViewMetadata({ schema, viewVersion, location: 's3://b/v', nowMs: T0 });
    expect(bad({ ...version('x'), representations: [] })).toThrowError(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    expect(
      bad({
        ...version('x'),
        representations: [
          { type: 'sql', sql: 'a', dialect: 'Spark' },
          { type: 'sql', sql: 'b', dialect: 'spark' },
        ],
      }),
    ).toThrowError(expect.objectContaining({ code: 'ERR_ILLEGAL_ARGUMENT', message: 'Invalid view version: Cannot add multiple queries for dialect spark' }));
    expect(bad({ ...version('x'), 'default-namespace': undefined })).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining('default-namespace') }),
    );
  });
});

describe('applyViewUpdates', () => {
  it('adds a version with -1 schema, sets it current, logs it', () => {
    const base = create();
    const newSchema = { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'long' }] };
    const md = applyViewUpdates(
      base,
      [
        { action: 'add-schema', schema: newSchema },
        { action: 'add-view-version', 'view-version': version('select 2', 'spark', { 'version-id': 2, 'schema-id': -1, 'timestamp-ms': T0 + 500 }) },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
      ctx(),
    );
    expect(md.schemas.map((s) => s['schema-id'])).toEqual([0, 1]);
    expect(md['current-version-id']).toBe(2);
    expect(md.versions[1]!['schema-id']).toBe(1);
    expect(md['version-log']).toEqual([
      { 'timestamp-ms': T0, 'version-id': 1 },
      { 'timestamp-ms': T0 + 500, 'version-id': 2 },
    ]);
  });

  it('reuses an identical version instead of adding a duplicate', () => {
    const base = create();
    const { metadata, changed } = applyViewUpdatesDetailed(
      base,
      [
        { action: 'add-view-version', 'view-version': { ...base.versions[0]!, 'version-id': 5, 'timestamp-ms': T0 + 999 } },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
      ctx(),
    );
    expect(changed).toBe(false);
    expect(metadata).toBe(base);
  });

  it('re-activating an old version logs the time of the change', () => {
    let md = applyViewUpdates(
      create(),
      [
        { action: 'add-view-version', 'view-version': version('select 2', 'spark', { 'version-id': 2, 'schema-id': 0, 'timestamp-ms': T0 + 500 }) },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
      ctx(),
    );
    md = applyViewUpdates(md, [{ action: 'set-current-view-version', 'view-version-id': 1 }], ctx(T0 + 9000));
    expect(md['version-log'].at(-1)).toEqual({ 'timestamp-ms': T0 + 9000, 'version-id': 1 });
  });

  it('refuses to drop a dialect unless allowed', () => {
    const base = create();
    const replace = [
      { action: 'add-view-version', 'view-version': version('select 2', 'trino', { 'version-id': 2, 'schema-id': 0 }) },
      { action: 'set-current-view-version', 'view-version-id': -1 },
    ];
    expect(() => applyViewUpdates(base, replace, ctx())).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining('dialects') }),
    );
    const allowed = applyViewUpdates(base, [{ action: 'set-properties', updates: { 'replace.drop-dialect.allowed': 'true' } }, ...replace], ctx());
    expect(allowed['current-version-id']).toBe(2);
  });

  it('expires old versions beyond version.history.num-entries', () => {
    let md = applyViewUpdates(create(), [{ action: 'set-properties', updates: { 'version.history.num-entries': '2' } }], ctx());
    for (let i = 2; i <= 4; i++) {
      md = applyViewUpdates(
        md,
        [
          { action: 'add-view-version', 'view-version': version(`select ${i}`, 'spark', { 'version-id': i, 'schema-id': 0, 'timestamp-ms': T0 + i * 1000 }) },
          { action: 'set-current-view-version', 'view-version-id': -1 },
        ],
        ctx(T0 + i * 1000),
      );
    }
    expect(md.versions.map((v) => v['version-id'])).toEqual([3, 4]);
    expect(md['version-log'].map((e) => e['version-id'])).toEqual([3, 4]);
  });

  it('rejects table actions, unknown actions, and uuid changes', () => {
    const base = create();
    const invalid = (message: string) => expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining(message) });
    const illegal = (message: string) => expect.objectContaining({ code: 'ERR_ILLEGAL_ARGUMENT', message: expect.stringContaining(message) });
    expect(() => applyViewUpdates(base, [{ action: 'add-snapshot', snapshot: {} }], ctx())).toThrowError(invalid('add-snapshot'));
    expect(() => applyViewUpdates(base, [{ action: 'teleport' }], ctx())).toThrowError(invalid('teleport'));
    expect(() => applyViewUpdates(base, [{ action: 'assign-uuid', uuid: 'other' }], ctx())).toThrowError(illegal('Cannot reassign uuid'));
    expect(() => applyViewUpdates(base, [{ action: 'set-current-view-version', 'view-version-id': 9 }], ctx())).toThrowError(
      illegal('Cannot set current version to unknown version: 9'),
    );
    expect(() => applyViewUpdates(base, [{ action: 'upgrade-format-version', 'format-version': 2 }], ctx())).toThrowError(
      illegal('Unsupported format version'),
    );
  });

  it('round-trips through parseViewMetadata', () => {
    const md = create();
    expect(parseViewMetadata(md)).toEqual(md);
  });
});

describe('checkViewRequirements', () => {
  it('checks assert-view-uuid', () => {
    const base = create();
    expect(() => checkViewRequirements(base, [{ type: 'assert-view-uuid', uuid: 'V-UUID' }])).not.toThrow();
    expect(() => checkViewRequirements(base, [{ type: 'assert-view-uuid', uuid: 'other' }])).toThrowError(
      expect.objectContaining({ code: 'ERR_COMMIT_CONFLICT' }),
    );
    expect(() => checkViewRequirements(base, [{ type: 'assert-table-uuid', uuid: 'x' }])).toThrowError(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    expect(() => checkViewRequirements(null, [{ type: 'assert-view-uuid', uuid: 'x' }])).toThrowError(expect.objectContaining({ code: 'ERR_COMMIT_CONFLICT' }));
  });
});
