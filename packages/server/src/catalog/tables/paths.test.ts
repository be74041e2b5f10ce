import { describe, expect, it } from 'vitest';
import type { TableMetadata } from '../metadata/index.js';
import type { Warehouse } from '../ports/index.js';
import { checkIntroducedByUpdates } from './paths.js';

const ROOT = 's3://front/wh';
const warehouse = { name: 'fed', storageRoot: ROOT, properties: {} } as unknown as Warehouse;
const location = `${ROOT}/ns/t`;
const snapshot = (id: number, at: string) => ({
  'snapshot-id': id,
  'timestamp-ms': 1,
  'manifest-list': `${at}/metadata/snap-${id}.avro`,
  summary: { operation: 'append' },
});
const base = { location, properties: {}, snapshots: [snapshot(1, location)] } as unknown as TableMetadata;
const refused = (updates: unknown[], on: TableMetadata | null = base) => {
  try {
    checkIntroducedByUpdates(warehouse, on, updates);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'accepted';
};

describe('checkIntroducedByUpdates (a federated commit, checked on its updates before the remote has it)', () => {
  it("refuses a location, a new snapshot's files or a write path outside the warehouse's storage", () => {
    expect(refused([{ action: 'set-location', location: 's3://remote-only/wh/ns/t' }])).toBe('ERR_VALIDATION');
    expect(refused([{ action: 'set-location', location: ROOT }])).toBe('ERR_VALIDATION');
    expect(refused([{ action: 'add-snapshot', snapshot: snapshot(2, 's3://remote-only/wh/ns/t') }])).toBe('ERR_VALIDATION');
    expect(refused([{ action: 'set-properties', updates: { 'write.data.path': 's3://remote-only/data' } }])).toBe('ERR_VALIDATION');
    // Inside the storage but outside the table's own location: refused as for a local table.
    expect(refused([{ action: 'set-properties', updates: { 'write.data.path': `${ROOT}/ns/other/data` } }])).toBe('ERR_VALIDATION');
    expect(refused([{ action: 'set-statistics', statistics: { 'snapshot-id': 1, 'statistics-path': 's3://remote-only/x.stats' } }])).toBe('ERR_VALIDATION');
  });

  it('accepts what a local commit accepts: a replace in place, a write path inside the table, a move that takes its files along', () => {
    const replace = [
      { action: 'set-properties', updates: { 'write.data.path': `${location}/data2` } },
      { action: 'add-snapshot', snapshot: snapshot(2, location) },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 2 },
    ];
    expect(refused(replace)).toBe('accepted');
    // A move whose old snapshot stays behind is refused; once that snapshot is removed, the move is the table's.
    const moved = `${ROOT}/ns/t-moved`;
    expect(refused([{ action: 'set-location', location: moved }])).toBe('ERR_VALIDATION');
    expect(
      refused([
        { action: 'remove-snapshots', 'snapshot-ids': [1] },
        { action: 'set-location', location: moved },
      ]),
    ).toBe('accepted');
    // A write path removed again is not checked.
    expect(
      refused([
        { action: 'set-properties', updates: { 'write.data.path': 's3://remote-only/d' } },
        { action: 'remove-properties', removals: ['write.data.path'] },
      ]),
    ).toBe('accepted');
  });

  it('holds a create transaction without a location (the remote chooses it) to the storage only', () => {
    expect(refused([{ action: 'set-properties', updates: { 'write.data.path': 's3://remote-only/d' } }], null)).toBe('ERR_VALIDATION');
    expect(refused([{ action: 'set-properties', updates: { 'write.data.path': `${ROOT}/anywhere` } }], null)).toBe('accepted');
    expect(
      refused(
        [
          { action: 'set-location', location: `${ROOT}/ns/new` },
          { action: 'add-snapshot', snapshot: snapshot(3, `${ROOT}/ns/new`) },
        ],
        null,
      ),
    ).toBe('accepted');
  });
});
