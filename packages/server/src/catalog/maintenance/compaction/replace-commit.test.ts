import { describe, expect, it } from 'vitest';
import type { TableMetadata } from '../../metadata/index.js';
import { conflictSince } from './replace-commit.js';

const snap = (id: number, parent: number | undefined, operation: string) => ({ 'snapshot-id': id, ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}), 'timestamp-ms': id, summary: { operation } });
const table = (head: number, ...snapshots: ReturnType<typeof snap>[]) => ({ snapshots, 'current-snapshot-id': head, refs: { main: { 'snapshot-id': head, type: 'branch' } } }) as unknown as TableMetadata;

describe('conflictSince', () => {
  it('lets a rewrite planned on a snapshot through when only appends were committed since', () => {
    expect(conflictSince(table(1, snap(1, undefined, 'append')), 1n)).toBeUndefined();
    expect(conflictSince(table(3, snap(1, undefined, 'append'), snap(2, 1, 'append'), snap(3, 2, 'append')), 1n)).toBeUndefined();
  });

  it('names the first change since the plan that is not an append (a delete, an overwrite, another replace)', () => {
    for (const op of ['delete', 'overwrite', 'replace']) {
      expect(conflictSince(table(3, snap(1, undefined, 'append'), snap(2, 1, op), snap(3, 2, 'append')), 1n)).toMatch(new RegExp(`snapshot 2 \\(${op}\\)`));
    }
  });

  it('refuses when the planned snapshot is no longer an ancestor of main (a rollback, a replaced branch)', () => {
    expect(conflictSince(table(5, snap(1, undefined, 'append'), snap(5, undefined, 'append')), 1n)).toBeDefined();
  });
});
