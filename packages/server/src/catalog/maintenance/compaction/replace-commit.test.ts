import { describe, expect, it } from 'vitest';
import type { TableMetadata } from '../../metadata/index.js';
import { snapshotsSince } from './replace-commit.js';

const snap = (id: number, parent: number | undefined, operation: string) => ({
  'snapshot-id': id,
  ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
  'timestamp-ms': id,
  summary: { operation },
});
const table = (head: number, ...snapshots: ReturnType<typeof snap>[]) =>
  ({ snapshots, 'current-snapshot-id': head, refs: { main: { 'snapshot-id': head, type: 'branch' } } }) as unknown as TableMetadata;
const ids = (got: ReturnType<typeof snapshotsSince>) => (typeof got === 'string' ? got : got.map((s) => Number(s['snapshot-id'])));

describe('snapshotsSince', () => {
  it('lists the snapshots committed on main since the planned one, newest first', () => {
    expect(ids(snapshotsSince(table(1, snap(1, undefined, 'append')), 1n))).toEqual([]);
    expect(ids(snapshotsSince(table(3, snap(1, undefined, 'append'), snap(2, 1, 'delete'), snap(3, 2, 'append')), 1n))).toEqual([3, 2]);
  });

  it('says so when the planned snapshot is no longer an ancestor of main (a rollback, a replaced branch)', () => {
    expect(snapshotsSince(table(5, snap(1, undefined, 'append'), snap(5, undefined, 'append')), 1n)).toMatch(/no longer an ancestor/);
  });
});
