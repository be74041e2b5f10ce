/**
 * The events of an Iceberg commit (tables/commit.ts), recorded in its transaction: `table.committed` (or
 * `table.created` for a create transaction) per table the commit changed, with the snapshots it added (ids, operation,
 * summary) and the kinds of its updates; and for a multi-table transaction one `transaction.committed` naming them all.
 * Structural types, so that this module does not import the commit's.
 */
import { type Change, addedSnapshots, compactUpdates } from './changes.js';

interface CommittedChange {
  updates: readonly unknown[];
}

interface CommittedTable {
  identifier: { namespace: string[]; name: string };
  base: unknown;
  metadata: { 'table-uuid': string };
  metadataLocation: string;
  changed: boolean;
}

/** `changes[i]` is the change `prepared[i]` was prepared from. */
export function commitEvents(changes: readonly CommittedChange[], prepared: readonly CommittedTable[]): Change[] {
  const out: Change[] = [];
  prepared.forEach((p, i) => {
    if (!p.changed) return;
    const updates = changes[i]?.updates ?? [];
    out.push({
      kind: p.base === undefined ? 'table.created' : 'table.committed',
      namespace: p.identifier.namespace,
      name: p.identifier.name,
      uuid: p.metadata['table-uuid'],
      operation: { updates: compactUpdates(updates) },
      data: { 'metadata-location': p.metadataLocation, snapshots: addedSnapshots(updates) },
    });
  });
  if (prepared.length > 1 && out.length > 0) {
    out.push({
      kind: 'transaction.committed',
      data: {
        tables: prepared
          .filter((p) => p.changed)
          .map((p) => ({ namespace: p.identifier.namespace, name: p.identifier.name, 'table-uuid': p.metadata['table-uuid'] })),
      },
    });
  }
  return out;
}
