/** Small builders of the events of renames and cascading drops, shared by the services that record them. */
import type { Change } from './changes.js';

/** Runs `record` (the outbox write) only when the change happened, inside its transaction, and passes the result on. */
export async function afterChange<T>(result: T, record: () => Promise<void>): Promise<T> {
  if (result) await record();
  return result;
}

export function renamed(
  kind: 'table' | 'view' | 'lance-table',
  from: { namespace: string[]; name: string },
  to: { namespace: string[]; name: string },
  uuid: string,
): Change {
  return {
    kind: kind === 'view' ? 'view.renamed' : kind === 'table' ? 'table.renamed' : 'lance-table.renamed',
    namespace: to.namespace,
    name: to.name,
    uuid,
    operation: { source: { namespace: from.namespace, name: from.name }, destination: { namespace: to.namespace, name: to.name } },
    data: { from: { namespace: from.namespace, name: from.name } },
  };
}

interface Cascade {
  lanceTables: ReadonlyArray<{ namespace: string[]; name: string; uuid: string; location: string }>;
  namespaces: ReadonlyArray<{ levels: string[] }>;
  objects: ReadonlyArray<{ kind: string; namespace?: string[]; name?: string; uuid?: string | undefined }>;
}

/** A cascading namespace drop (Lance): each table and view it unregistered, each Lance table it dropped, then each namespace as removed. */
export function cascadeDropped(removed: Cascade): Change[] {
  return [
    ...removed.objects.map((o): Change => ({
      kind: o.kind === 'view' ? 'view.dropped' : 'table.dropped',
      namespace: o.namespace,
      name: o.name,
      uuid: o.uuid,
      operation: o.kind === 'view' ? {} : { purge: false },
      data: { cascade: true },
    })),
    ...removed.lanceTables.map((t): Change => ({
      kind: 'lance-table.dropped',
      namespace: t.namespace,
      name: t.name,
      uuid: t.uuid,
      data: { location: t.location, cascade: true },
    })),
    ...removed.namespaces.map((n): Change => ({ kind: 'namespace.dropped', namespace: n.levels })),
  ];
}
