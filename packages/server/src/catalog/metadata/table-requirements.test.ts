import { describe, it, expect } from 'vitest';
import { applyTableUpdates, newTableMetadata } from './table-metadata-builder.js';
import { checkTableRequirements, isCreateRequirements } from './table-requirements.js';
import type { TableMetadata } from './types.js';

const T0 = 1_700_000_000_000;
const conflict = expect.objectContaining({ code: 'ERR_COMMIT_CONFLICT' });
const invalid = expect.objectContaining({ code: 'ERR_VALIDATION' });

function table(): TableMetadata {
  const base = newTableMetadata({
    schema: { type: 'struct', fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
    location: 's3://b/t',
    uuid: 'AAAAAAAA-1111-4111-8111-111111111111',
    nowMs: T0,
  });
  return applyTableUpdates(
    base,
    [
      {
        action: 'add-snapshot',
        snapshot: { 'snapshot-id': 7, 'sequence-number': 1, 'timestamp-ms': T0 + 1, 'manifest-list': 's3://b/t/m.avro', summary: { operation: 'append' } },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 7 },
      { action: 'set-snapshot-ref', 'ref-name': 'v1', type: 'tag', 'snapshot-id': 7 },
    ],
    { nowMs: T0 + 10, newUuid: () => 'x' },
  );
}

describe('checkTableRequirements', () => {
  const base = table();

  it('passes when every requirement holds', () => {
    expect(() =>
      checkTableRequirements(base, [
        { type: 'assert-table-uuid', uuid: 'aaaaaaaa-1111-4111-8111-111111111111' },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 7 },
        { type: 'assert-ref-snapshot-id', ref: 'new-branch', 'snapshot-id': null },
        { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 1 },
        { type: 'assert-current-schema-id', 'current-schema-id': 0 },
        { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 999 },
        { type: 'assert-default-spec-id', 'default-spec-id': 0 },
        { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 },
      ]),
    ).not.toThrow();
  });

  it.each([
    [{ type: 'assert-create' }],
    [{ type: 'assert-table-uuid', uuid: 'bbbbbbbb-1111-4111-8111-111111111111' }],
    [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 8 }],
    [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
    [{ type: 'assert-ref-snapshot-id', ref: 'v1', 'snapshot-id': null }],
    [{ type: 'assert-ref-snapshot-id', ref: 'gone', 'snapshot-id': 7 }],
    [{ type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 2 }],
    [{ type: 'assert-current-schema-id', 'current-schema-id': 1 }],
    [{ type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 }],
    [{ type: 'assert-default-spec-id', 'default-spec-id': 1 }],
    [{ type: 'assert-default-sort-order-id', 'default-sort-order-id': 1 }],
  ])('fails %j with a commit conflict', (requirement) => {
    expect(() => checkTableRequirements(base, [requirement])).toThrowError(conflict);
  });

  it('treats a missing table: assert-create passes, anything else conflicts', () => {
    expect(() => checkTableRequirements(null, [{ type: 'assert-create' }])).not.toThrow();
    expect(() => checkTableRequirements(null, [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }])).toThrowError(conflict);
    expect(() => checkTableRequirements(null, [{ type: 'assert-create' }, { type: 'assert-current-schema-id', 'current-schema-id': 0 }])).toThrowError(invalid);
  });

  it('rejects malformed and unknown requirements as validation errors', () => {
    expect(() => checkTableRequirements(base, [{ type: 'assert-sunny' }])).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining('assert-sunny') }),
    );
    expect(() => checkTableRequirements(base, [{ type: 'assert-current-schema-id', 'current-schema-id': 'zero' }])).toThrowError(invalid);
    expect(() => checkTableRequirements(base, [{ type: 'assert-view-uuid', uuid: 'x' }])).toThrowError(invalid);
    expect(() => checkTableRequirements(base, [{}])).toThrowError(invalid);
  });

  it('compares big snapshot ids exactly', () => {
    const big = applyTableUpdates(
      base,
      [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': 9007199254740993n,
            'parent-snapshot-id': 7,
            'sequence-number': 2,
            'timestamp-ms': T0 + 2,
            'manifest-list': 's3://b/t/n.avro',
            summary: { operation: 'append' },
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 9007199254740993n },
      ],
      { nowMs: T0 + 20, newUuid: () => 'x' },
    );
    expect(() => checkTableRequirements(big, [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 9007199254740993n }])).not.toThrow();
    expect(() => checkTableRequirements(big, [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 9007199254740992n }])).toThrowError(conflict);
  });

  it('detects create requests', () => {
    expect(isCreateRequirements([{ type: 'assert-create' }])).toBe(true);
    expect(isCreateRequirements([])).toBe(false);
  });
});
