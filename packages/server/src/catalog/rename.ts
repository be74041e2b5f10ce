/** Rename of a table or view: one identifier space, so both kinds share the rules and the messages clients expect. */
import { CatalogError } from '../errors/catalog-error.js';
import type { CatalogDeps, RequestScope } from './context.js';
import { checkIdentifier, formatIdentifier, type TableIdentifier } from './identifiers.js';
import type { CatalogObjectRecord, ObjectKind } from './ports.js';

export async function renameCatalogObject(deps: CatalogDeps, scope: RequestScope, kind: ObjectKind, source: unknown, destination: unknown): Promise<void> {
  const from = checkIdentifier(source, 'source');
  const to = checkIdentifier(destination, 'destination');
  await deps.store.transaction(async (repo) => {
    if (!(await repo.getNamespace(scope.warehouse.name, to.namespace))) {
      throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(to.namespace)}`);
    }
    const result = await repo.renameObject(scope.warehouse.name, kind, from, to, deps.clock.now());
    if (result === 'missing') {
      const what = kind === 'view' ? 'View' : 'Table';
      throw new CatalogError(kind === 'view' ? 'ERR_VIEW_NOT_FOUND' : 'ERR_TABLE_NOT_FOUND', `${what} does not exist: ${formatIdentifier(from.namespace, from.name)}`);
    }
    if (result === 'exists') throw renameConflict(await repo.getObject(scope.warehouse.name, to.namespace, to.name), from, to);
  });
  deps.events.emit({ type: kind === 'view' ? 'view.renamed' : 'table.renamed', warehouse: scope.warehouse.name, from: formatIdentifier(from.namespace, from.name), to: formatIdentifier(to.namespace, to.name) });
}

/** Iceberg clients show this message as is: "Cannot rename a.b to a.c. View already exists". */
function renameConflict(existing: CatalogObjectRecord | undefined, from: TableIdentifier, to: TableIdentifier): CatalogError {
  const kind = existing?.kind === 'view' ? 'View' : 'Table';
  return new CatalogError(
    existing?.kind === 'view' ? 'ERR_VIEW_EXISTS' : 'ERR_TABLE_EXISTS',
    `Cannot rename ${formatIdentifier(from.namespace, from.name)} to ${formatIdentifier(to.namespace, to.name)}. ${kind} already exists`,
  );
}
