/**
 * Rename of a table or view: one identifier space, so both kinds share the
 * rules and the messages clients expect. Moving an object out of its place
 * needs the kind's drop privilege on it, and into the destination the
 * kind's create privilege on the destination namespace; a move to another
 * namespace must not give the caller any privilege on the object it did not
 * hold before. The object keeps its id, so its own grants follow it
 * (inherited ones are the destination's).
 */
import { refuseOnFederated } from '../ports/remote-catalog.js';
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject, forbidden } from '../access/access-service.js';
import type { SecurablePath } from '../ports/access.js';
import { privilegesOn } from '../privileges.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { checkIdentifier, checkNewIdentifier, formatIdentifier, type TableIdentifier } from '../identifiers.js';
import type { CatalogObjectRecord, ObjectKind } from '../ports/index.js';
import { renamed } from '../outbox/object-events.js';
import { recordChanges } from '../outbox/changes.js';

/** `objectKind` is the catalog kind when it differs from the securable's (a Lance table is a 'table' securable of kind 'lance-table'). */
export async function renameCatalogObject(
  ctx: ServiceContext,
  request: CatalogRequest,
  kind: 'table' | 'view',
  source: unknown,
  destination: unknown,
  objectKind: ObjectKind = kind,
): Promise<void> {
  // validate
  const from = checkIdentifier(source, 'source');
  const to = checkNewIdentifier(destination, 'destination');
  const scope = await ctx.scope(request);
  refuseOnFederated(scope, 'A rename');
  // authorize
  const missing = () => notFound(kind, from);
  const [fromNs, record] = await Promise.all([
    ctx.access.namespacePath(scope.warehouse, from.namespace),
    ctx.store.repository.getObject(scope.warehouse.name, from.namespace, from.name),
  ]);
  const fromObject = describeObject(scope.warehouse.name, from.namespace, from.name);
  if (!record || record.kind !== objectKind) return ctx.access.notFoundOrForbidden(scope, fromNs.path, `${kind}:drop`, fromObject, missing);
  await ctx.access.require(scope, `${kind}:drop`, ctx.access.objectPath(fromNs.path, kind, record.id), { object: fromObject, recordAllow: true });
  const toNs = await ctx.access.namespacePath(scope.warehouse, to.namespace);
  const toObject = describeObject(scope.warehouse.name, to.namespace, to.name);
  const noNamespace = () => new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(to.namespace)}`);
  if (toNs.missing) return ctx.access.notFoundOrForbidden(scope, toNs.path, `${kind}:create`, toObject, noNamespace);
  await ctx.access.require(scope, `${kind}:create`, toNs.path, { object: toObject, recordAllow: true });
  await requireNoWidening(ctx, scope, kind, ctx.access.objectPath(fromNs.path, kind, record.id), ctx.access.objectPath(toNs.path, kind, record.id), fromObject);
  // execute
  await ctx.store.transaction(async (repo) => {
    if (!(await repo.getNamespace(scope.warehouse.name, to.namespace))) throw noNamespace();
    // Only the object authorized for above, not another that took its name since.
    const result = await repo.renameObject(scope.warehouse.name, objectKind, from, to, ctx.clock.now(), record.id);
    if (result === 'missing') throw missing();
    if (result === 'exists') throw renameConflict(await repo.getObject(scope.warehouse.name, to.namespace, to.name), from, to);
    await recordChanges(ctx, repo, scope.warehouse.name, scope.caller, renamed(kind === 'view' ? 'view' : objectKind, from, to, record.uuid));
  });
}

/**
 * A move to another namespace must not widen what the caller may do with the object: every privilege on it that the
 * caller would hold at the destination (inherited from there) it must hold at the source already. Otherwise whoever may
 * only drop a table could move it into a namespace where it reads or writes data, or manages grants, and so read it.
 */
async function requireNoWidening(
  ctx: ServiceContext,
  scope: RequestScope,
  kind: 'table' | 'view',
  from: SecurablePath,
  to: SecurablePath,
  object: string,
): Promise<void> {
  if (from.namespaces.join('\u001f') === to.namespaces.join('\u001f')) return;
  const privileges = privilegesOn(kind);
  const answers = await ctx.access.allows(scope, [
    ...privileges.map((privilege) => ({ privilege, path: to })),
    ...privileges.map((privilege) => ({ privilege, path: from })),
  ]);
  const lacking = privileges.filter((_, i) => answers[i] && !answers[privileges.length + i]);
  if (lacking.length === 0) return;
  await ctx.access.record(scope.caller, 'access.denied', 'deny', lacking.join('+'), object, {
    lacking,
    reason: "a move would widen the caller's privileges on the object",
  });
  throw forbidden(lacking, object);
}

function notFound(kind: 'table' | 'view', id: TableIdentifier): CatalogError {
  const what = kind === 'view' ? 'View' : 'Table';
  return new CatalogError(kind === 'view' ? 'ERR_VIEW_NOT_FOUND' : 'ERR_TABLE_NOT_FOUND', `${what} does not exist: ${formatIdentifier(id.namespace, id.name)}`);
}

/** Iceberg clients show this message as is: "Cannot rename a.b to a.c. View already exists". */
function renameConflict(existing: CatalogObjectRecord | undefined, from: TableIdentifier, to: TableIdentifier): CatalogError {
  const kind = existing?.kind === 'view' ? 'View' : 'Table';
  return new CatalogError(
    existing?.kind === 'view' ? 'ERR_VIEW_EXISTS' : 'ERR_TABLE_EXISTS',
    `Cannot rename ${formatIdentifier(from.namespace, from.name)} to ${formatIdentifier(to.namespace, to.name)}. ${kind} already exists`,
  );
}
