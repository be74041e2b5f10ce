/**
 * RenameTable of the Lance namespace spec (LanceDB namespace connections call it): the table keeps its catalog id, so
 * its grants and its version history (catalog/lance/versions/, keyed by that id) follow it; its location does not
 * move. The rules are the Iceberg rename's (catalog/kit/rename.ts): `table:drop` on it, `table:create` on the destination
 * namespace, and no widening of the caller's privileges by a move.
 */
import { validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, ServiceContext } from '../context.js';
import { checkLanceLevels, checkNewName, checkNewNamespace } from '../identifiers.js';
import { renameCatalogObject } from '../kit/rename.js';
import { checkLanceTableId, LANCE_TABLE } from './table-id.js';

export class LanceRenameService {
  constructor(private readonly ctx: ServiceContext) {}

  async rename(request: CatalogRequest, idInput: unknown, input: { newTableName?: unknown; newNamespaceId?: unknown }): Promise<void> {
    // validate
    const from = checkLanceTableId(idInput);
    const name = checkNewName(input.newTableName, 'new_table_name');
    const namespace = checkNewNamespace(input.newNamespaceId === undefined || input.newNamespaceId === null ? from.namespace : input.newNamespaceId);
    if (namespace.length === 0) throw validation('new_namespace_id must name a namespace: the root namespace holds no tables');
    checkLanceLevels([...namespace, name], 'a Lance table id');
    // authorize, execute
    await renameCatalogObject(this.ctx, request, 'table', from, { namespace, name }, LANCE_TABLE);
  }
}
