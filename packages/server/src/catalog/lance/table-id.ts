/**
 * What names a Lance table: its namespace levels and its name, the one rule that checks such an id, and the
 * catalog object kind that stores it. Below the table service and the version service, which both use it.
 */
import { validation } from '../../errors/catalog-error.js';
import { checkLanceLevels, checkName, checkNamespace } from '../identifiers.js';

export const LANCE_TABLE = 'lance-table';

export interface LanceTableId {
  namespace: string[];
  name: string;
}

/** A Lance table id is its namespace levels followed by its name. The root namespace holds no tables here (Iceberg could not see them). */
export function checkLanceTableId(id: unknown): LanceTableId {
  if (!Array.isArray(id) || id.length === 0) throw validation('table id must be a non-empty array of strings');
  const table = { namespace: id.length > 1 ? checkNamespace(id.slice(0, -1)) : [], name: checkName(id.at(-1), 'table name') };
  checkLanceLevels([...table.namespace, table.name], 'a Lance table id');
  return table;
}
