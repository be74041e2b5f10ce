/**
 * A cascading namespace drop (Lance `behavior: Cascade`) is soft like a single drop (soft-drop.ts, issue 39): with a
 * retention above 0 every table, view and Lance table under the namespace moves to the dropped objects in the drop's
 * own transaction (CatalogRepository.softDropObject), keeping its id, grants, files and Lance versions for an undrop,
 * and its change event says so (soft, its dropped-object id, until when). The one exception is the single drop's:
 * a Lance table (whose drop deletes its data) is removed and purged at once when the caller holds
 * `table:purge-immediately` on the namespace, and that decision is audited. The namespaces themselves are soft-dropped
 * too (migration 0021): each is kept, with its id (and so the grants that name it), properties and the id of the
 * namespace the drop named, and each object is marked with that id, so an undrop of the namespace restores the whole
 * cascade (dropped-namespaces.ts). An undrop of one of its tables alone asks for the namespace to be undropped (or
 * created) first, or for another namespace.
 */
import type { SecurablePath } from '../ports/access.js';
import type { RequestScope, ServiceContext } from '../context.js';
import type { Change } from '../outbox/changes.js';
import type { CatalogObjectRecord, CatalogRepository } from '../ports/index.js';
import { dropRetentionMs } from './retention.js';

export interface CascadeSoftDrop {
  droppedAtMs: number;
  expiresAtMs: number;
  droppedBy: string;
  /** The caller may purge at once: Lance tables are removed and their data deleted, as before soft deletion. */
  purgeNow: boolean;
}

/** Decides, once for the cascade, whether it is soft; undefined when it is not (retention 0). Call it after authorization. */
export async function cascadeSoftDrop(
  ctx: ServiceContext,
  scope: RequestScope,
  namespacePath: SecurablePath,
  object: string,
): Promise<CascadeSoftDrop | undefined> {
  const retention = dropRetentionMs(scope.warehouse);
  if (retention === 0) return undefined;
  const purgeNow = await ctx.access.allowed(scope, 'table:purge-immediately', namespacePath);
  await ctx.access.record(scope.caller, 'access.checked', purgeNow ? 'allow' : 'deny', 'table:purge-immediately', object, {
    purgeAfterMs: purgeNow ? 0 : retention,
    cascade: true,
  });
  const droppedAtMs = ctx.clock.now();
  return { droppedAtMs, expiresAtMs: droppedAtMs + retention, droppedBy: scope.caller.description, purgeNow };
}

/**
 * In the cascade's transaction: moves the object to the dropped objects and answers true, or answers false when the
 * cascade must remove it as before (not soft, or a Lance table purged at once).
 */
export async function softDropInCascade(
  repo: CatalogRepository,
  soft: CascadeSoftDrop | undefined,
  record: CatalogObjectRecord,
  droppedWith?: string,
): Promise<boolean> {
  const purge = record.kind === 'lance-table';
  if (!soft || (purge && soft.purgeNow)) return false;
  // False only when the row went meanwhile (it was listed in this transaction): gone either way.
  await repo.softDropObject({ object: record, droppedAtMs: soft.droppedAtMs, expiresAtMs: soft.expiresAtMs, purge, droppedBy: soft.droppedBy, droppedWith });
  return true;
}

/** The change events of the objects a cascade soft-dropped: as a single drop's, marked cascade and soft. */
export function softCascadeChanges(records: readonly CatalogObjectRecord[], soft: CascadeSoftDrop): Change[] {
  return records.map((r) => ({
    kind: r.kind === 'view' ? 'view.dropped' : r.kind === 'table' ? 'table.dropped' : 'lance-table.dropped',
    namespace: r.namespace,
    name: r.name,
    uuid: r.uuid,
    ...(r.kind === 'table' ? { operation: { purge: false } } : r.kind === 'view' ? { operation: {} } : {}),
    data: {
      ...(r.kind === 'lance-table' ? { location: r.location } : {}),
      cascade: true,
      soft: true,
      'dropped-object-id': r.id,
      'recoverable-until-ms': soft.expiresAtMs,
    },
  }));
}

/** The change events of the namespaces a cascade soft-dropped, deepest first (as they were removed). */
export function softNamespaceChanges(namespaces: ReadonlyArray<{ id: string; levels: string[] }>, soft: CascadeSoftDrop): Change[] {
  return namespaces.map((n) => ({
    kind: 'namespace.dropped',
    namespace: n.levels,
    data: { cascade: true, soft: true, 'dropped-object-id': n.id, 'recoverable-until-ms': soft.expiresAtMs },
  }));
}
