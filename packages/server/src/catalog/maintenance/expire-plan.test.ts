import { describe, expect, it } from 'vitest';
import type { TableMetadata } from '../metadata/index.js';
import { DEFAULT_EXPIRY, planExpiry } from './expire-plan.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;
/** Snapshots 1..n on main, one a day, the newest (n) today; extra snapshots and refs as given. */
function table(n: number, extra: { snapshots?: Array<{ id: number; parent?: number; ageDays: number }>; refs?: TableMetadata['refs'] } = {}): TableMetadata {
  const snapshots = [
    ...Array.from({ length: n }, (_, i) => ({ 'snapshot-id': i + 1, ...(i > 0 ? { 'parent-snapshot-id': i } : {}), 'timestamp-ms': NOW - (n - 1 - i) * DAY })),
    ...(extra.snapshots ?? []).map((s) => ({
      'snapshot-id': s.id,
      ...(s.parent !== undefined ? { 'parent-snapshot-id': s.parent } : {}),
      'timestamp-ms': NOW - s.ageDays * DAY,
    })),
  ];
  return { snapshots, 'current-snapshot-id': n, refs: { main: { 'snapshot-id': n, type: 'branch' }, ...(extra.refs ?? {}) } } as unknown as TableMetadata;
}
const plan = (t: TableMetadata, s: Partial<typeof DEFAULT_EXPIRY> = {}) => {
  const p = planExpiry(t, NOW, { ...DEFAULT_EXPIRY, ...s });
  return { expired: p.expired.map(Number).sort((a, b) => a - b), removedRefs: p.removedRefs };
};

describe('planExpiry (Iceberg Java ExpireSnapshots rules)', () => {
  it('keeps min-snapshots-to-keep of main, and younger ancestors beyond them', () => {
    expect(plan(table(10), { maxSnapshotAgeMs: 0, minSnapshotsToKeep: 3 }).expired).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Five days' age keeps 6..10 (0 to 4 days old) even with min 1.
    expect(plan(table(10), { maxSnapshotAgeMs: 4 * DAY, minSnapshotsToKeep: 1 }).expired).toEqual([1, 2, 3, 4, 5]);
    // The current snapshot is never expired.
    expect(plan(table(1), { maxSnapshotAgeMs: 0 }).expired).toEqual([]);
  });

  it("keeps a tag's snapshot until the tag is older than max-ref-age-ms, then removes the tag (never main)", () => {
    const tagged = table(5, { refs: { v1: { 'snapshot-id': 1, type: 'tag' } } });
    expect(plan(tagged, { maxSnapshotAgeMs: 0 })).toEqual({ expired: [2, 3, 4], removedRefs: [] });
    expect(plan(tagged, { maxSnapshotAgeMs: 0, maxRefAgeMs: 2 * DAY })).toEqual({ expired: [1, 2, 3, 4], removedRefs: ['v1'] });
    const ownAge = table(5, { refs: { v1: { 'snapshot-id': 1, type: 'tag', 'max-ref-age-ms': DAY } } });
    expect(plan(ownAge, { maxSnapshotAgeMs: 0 }).removedRefs).toEqual(['v1']);
  });

  it('a branch keeps its own ancestry by its own settings', () => {
    const branched = table(5, {
      snapshots: [
        { id: 20, parent: 2, ageDays: 1 },
        { id: 21, parent: 20, ageDays: 0 },
      ],
      refs: { dev: { 'snapshot-id': 21, type: 'branch', 'min-snapshots-to-keep': 3 } },
    });
    // dev keeps 21, 20 and 2; main keeps 5.
    expect(plan(branched, { maxSnapshotAgeMs: 0 }).expired).toEqual([1, 3, 4]);
  });

  it('keeps a snapshot no ref reaches while it is younger than max-snapshot-age-ms', () => {
    const loose = table(3, {
      snapshots: [
        { id: 30, ageDays: 1 },
        { id: 31, ageDays: 9 },
      ],
    });
    expect(plan(loose, { maxSnapshotAgeMs: 2 * DAY }).expired).toEqual([31]);
  });
});
