/**
 * Which snapshots and refs an expiry removes, by Iceberg Java's ExpireSnapshots (RemoveSnapshots) rules, so that a
 * table expired by the catalog keeps what an engine's `expire_snapshots` would keep:
 * - a ref other than `main` older than its max-ref-age-ms (its own, else the table's `history.expire.max-ref-age-ms`,
 *   default never) is removed; `main` never is;
 * - each remaining branch keeps, walking its ancestry from its head, at least min-snapshots-to-keep snapshots (its own,
 *   else `history.expire.min-snapshots-to-keep`, default 1), and every further ancestor younger than max-snapshot-age-ms
 *   (its own, else `history.expire.max-snapshot-age-ms`, default 5 days); a tag keeps its snapshot;
 * - a snapshot no ref reaches is kept while younger than the table's max-snapshot-age-ms;
 * - the current snapshot is always kept (it heads `main`).
 * The request's values, when given, replace the table's properties (and those the warehouse's defaults).
 */
import type { Snapshot, TableMetadata } from '../metadata/index.js';

export interface ExpirySettings {
  maxSnapshotAgeMs: number;
  minSnapshotsToKeep: number;
  maxRefAgeMs: number;
}

export interface ExpiryPlan {
  /** Snapshot ids (as strings: 64-bit) to remove. */
  expired: string[];
  /** Refs to remove first (their snapshots may then expire). */
  removedRefs: string[];
  /** Snapshots kept (ids as strings). */
  retained: Set<string>;
}

export const DEFAULT_EXPIRY: ExpirySettings = { maxSnapshotAgeMs: 5 * 86_400_000, minSnapshotsToKeep: 1, maxRefAgeMs: Number.MAX_SAFE_INTEGER };

const idOf = (s: { 'snapshot-id': unknown }) => String(s['snapshot-id']);

export function planExpiry(metadata: TableMetadata, nowMs: number, settings: ExpirySettings): ExpiryPlan {
  const byId = new Map<string, Snapshot>((metadata.snapshots ?? []).map((s) => [idOf(s), s]));
  const refs = Object.entries(metadata.refs ?? {});
  const removedRefs: string[] = [];
  const retainedRefs: typeof refs = [];
  for (const [name, ref] of refs) {
    const snapshot = byId.get(String(ref['snapshot-id']));
    const maxRefAge = ref['max-ref-age-ms'] !== undefined ? Number(ref['max-ref-age-ms']) : settings.maxRefAgeMs;
    if (name !== 'main' && (snapshot === undefined || nowMs - Number(snapshot['timestamp-ms']) > maxRefAge)) removedRefs.push(name);
    else retainedRefs.push([name, ref]);
  }
  const retained = new Set<string>();
  const reachable = new Set<string>();
  for (const [, ref] of retainedRefs) {
    const head = String(ref['snapshot-id']);
    if (ref.type === 'tag') {
      retained.add(head);
      continue;
    }
    const minKeep = ref['min-snapshots-to-keep'] ?? settings.minSnapshotsToKeep;
    const olderThan = nowMs - (ref['max-snapshot-age-ms'] !== undefined ? Number(ref['max-snapshot-age-ms']) : settings.maxSnapshotAgeMs);
    let kept = 0;
    let keeping = true;
    for (
      let s = byId.get(head);
      s !== undefined;
      s = s['parent-snapshot-id'] === undefined || s['parent-snapshot-id'] === null ? undefined : byId.get(String(s['parent-snapshot-id']))
    ) {
      const id = idOf(s);
      if (reachable.has(id) && !keeping) break;
      reachable.add(id);
      if (keeping && (kept < minKeep || Number(s['timestamp-ms']) >= olderThan)) {
        retained.add(id);
        kept += 1;
      } else keeping = false;
    }
  }
  const current = metadata['current-snapshot-id'];
  if (current !== null && current !== undefined && String(current) !== '-1') retained.add(String(current));
  const unreferencedOlderThan = nowMs - settings.maxSnapshotAgeMs;
  for (const [id, s] of byId) {
    if (!reachable.has(id) && Number(s['timestamp-ms']) >= unreferencedOlderThan) retained.add(id);
  }
  return { expired: [...byId.keys()].filter((id) => !retained.has(id)), removedRefs, retained };
}
