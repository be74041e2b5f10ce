/**
 * Undrop of a dropped namespace (issue 39, migration 0021), for DroppedObjectService: a soft cascading drop keeps the
 * namespaces it took (ports/maintenance.ts DroppedNamespaceStore), and undropping one restores it, with its id (so the grants
 * that name it hold again, on every authorizer: grants name securables by id, and a dropped namespace's are kept
 * until its retention ends), its properties, and everything the same drop took under it: child namespaces, tables,
 * views and Lance tables, each with its id, files and versions, in one transaction. Under its own name, or a new one
 * (`{"name": …}`, `{"namespace": […]}` for another parent); 409 when a live namespace holds it. An undrop of a child
 * namespace alone needs its parent to exist (undrop the parent, which brings the child too, or create it).
 *
 * Authorization is the caller's (`warehouse:undrop`, as for tables). The retention's end (sweep) forgets the namespace
 * and its grants; the objects it held have the same retention and are swept by the dropped-object sweep (their files
 * deleted when their drop asked for that).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope, ServiceContext } from '../context.js';
import { checkLanceLevels, checkNewNamespace, formatIdentifier } from '../identifiers.js';
import { checkNoOverlap } from '../location-policy.js';
import { namespaceDirectory } from '../default-locations.js';
import { type Change, changeEvent } from '../outbox/changes.js';
import type { DroppedNamespaceGroup, DroppedNamespaceRecord, DroppedObjectRecord } from '../ports/maintenance.js';
import type { DroppedNamespaceView } from './dropped-views.js';

export function namespaceView(r: DroppedNamespaceRecord, storageRoot: string, levels: string[] = r.namespace.levels): DroppedNamespaceView {
  return {
    id: r.namespace.id,
    kind: 'namespace',
    namespace: levels.slice(0, -1),
    name: levels.at(-1)!,
    location: r.namespace.properties.location ?? namespaceDirectory(storageRoot, levels),
    'dropped-at-ms': r.droppedAtMs,
    'expires-at-ms': r.expiresAtMs,
    purge: false,
    'dropped-by': r.droppedBy,
    ...(r.droppedWith !== r.namespace.id ? { 'dropped-with': r.droppedWith } : {}),
  };
}

export interface NamespaceUndropResult {
  view: DroppedNamespaceView;
  restored: DroppedNamespaceGroup;
  /** Levels of the namespace the undrop named, before and after. */
  from: string[];
  to: string[];
}

/** Restores the dropped namespace `found` under `to` (after authorization); its changes (recorded with it) are logged by the store's change listener. */
export async function undropNamespace(
  ctx: ServiceContext,
  scope: RequestScope,
  found: DroppedNamespaceRecord,
  to: { namespace?: string[]; name?: string },
): Promise<NamespaceUndropResult> {
  const warehouse = scope.warehouse.name;
  const from = found.namespace.levels;
  const target = checkNewNamespace([...(to.namespace ?? from.slice(0, -1)), to.name ?? from.at(-1)!]);
  const group = await ctx.store.droppedNamespaces.group(warehouse, found.namespace.id);
  if (!group) throw gone(found.namespace.id, warehouse);
  const renamed = (levels: readonly string[]) => [...target, ...levels.slice(from.length)];
  // Lance tables come back on the Lance surface, which addresses no level holding "/" (identifiers.ts).
  if (group.objects.some((o) => o.object.kind === 'lance-table')) checkLanceLevels(target, 'a namespace holding Lance tables');
  await checkRestorable(ctx, scope, found, group, target);
  const event = (c: Change) => changeEvent(ctx, warehouse, scope.caller, c);
  const moved = target.join('\u001f') !== from.join('\u001f');
  const outcome = await ctx.store.droppedNamespaces.restore(warehouse, found.namespace.id, target, ctx.clock.now(), (restored) => [
    ...restored.namespaces.map((n) =>
      event({
        kind: 'namespace.undropped',
        namespace: renamed(n.namespace.levels),
        data: { 'dropped-object-id': n.namespace.id, ...(moved ? { 'dropped-as': { namespace: n.namespace.levels } } : {}) },
      }),
    ),
    ...restored.objects.map((o) => event(objectUndropped(o, renamed(o.object.namespace), found.namespace.id, moved))),
  ]);
  if (outcome.outcome !== 'restored')
    throw outcome.outcome === 'missing' ? gone(found.namespace.id, warehouse) : outcome.outcome === 'exists' ? taken(target) : noParent(target);
  ctx.access.forgetNamespaceIds();
  return { view: namespaceView(found, scope.warehouse.storageRoot, target), restored: outcome.restored, from, to: target };
}

function objectUndropped(o: DroppedObjectRecord, namespace: string[], undropped: string, moved: boolean): Change {
  const kind = o.object.kind === 'view' ? 'view.undropped' : o.object.kind === 'table' ? 'table.undropped' : 'lance-table.undropped';
  return {
    kind,
    namespace,
    name: o.object.name,
    uuid: o.object.uuid,
    data: {
      'dropped-object-id': o.object.id,
      'with-namespace': undropped,
      ...(moved ? { 'dropped-as': { namespace: o.object.namespace, name: o.object.name } } : {}),
    },
  };
}

/** The target is free and its parent exists; no live object lies at, inside or around a location the undrop brings back. */
async function checkRestorable(
  ctx: ServiceContext,
  scope: RequestScope,
  found: DroppedNamespaceRecord,
  group: DroppedNamespaceGroup,
  target: string[],
): Promise<void> {
  const repo = ctx.store.repository;
  if (await repo.getNamespace(scope.warehouse.name, target)) throw taken(target);
  if (target.length > 1 && !(await repo.getNamespace(scope.warehouse.name, target.slice(0, -1)))) throw noParent(target);
  for (const o of group.objects) {
    try {
      await checkNoOverlap(repo, scope.warehouse, o.object.location, { nowMs: ctx.clock.now(), view: o.object.kind === 'view' });
    } catch (e) {
      if (!(e instanceof CatalogError) || e.code !== 'ERR_VALIDATION') throw e;
      throw new CatalogError(
        'ERR_NAMESPACE_EXISTS',
        `Another object now lives at, inside or around the location ${o.object.location} of ${formatIdentifier(o.object.namespace, o.object.name)}, dropped with namespace ${formatIdentifier(found.namespace.levels)}; the namespace cannot be restored beside it`,
      );
    }
  }
}

const gone = (id: string, warehouse: string) =>
  new CatalogError('ERR_NOT_FOUND', `No dropped object ${id} in warehouse ${warehouse} (restored or expired meanwhile)`);
const taken = (target: string[]) =>
  new CatalogError(
    'ERR_NAMESPACE_EXISTS',
    `Namespace ${formatIdentifier(target)} exists: restore the dropped namespace under another name ({"name": "…"} in the request)`,
  );
const noParent = (target: string[]) =>
  new CatalogError(
    'ERR_NAMESPACE_NOT_FOUND',
    `Parent namespace does not exist: ${formatIdentifier(target.slice(0, -1))} (undrop it first, which restores this one with it, or create it, or restore into another namespace)`,
  );
