/**
 * Lance materialized views and computed-column backfills (lance-namespace 0.13; issue 58), where the catalog only
 * stores definitions. Framework-free: no HTTP, no SQL.
 *
 * CreateMaterializedView stores the view's definition (materialized-view-definition.ts) on a declared Lance table with
 * no data: it is authorized, recorded and audited as DeclareTable is (`table:create` on the namespace; a taken name is
 * a 409; the `lance-table.declared` event names the view's kind), listed by ListTables, answered by DescribeTable (its
 * definition in the `materialized_view.*` properties; `is_only_declared` until data is written) and removed by
 * DropTable or DeregisterTable. Its answer's version is 0: no version of data exists yet.
 *
 * Everything that needs an engine answers 406 (Unsupported), each after the request is validated, the caller
 * authorized (the refusal of one who may not is a 403, audited) and the object found (404): an initial refresh or
 * auto_refresh at creation, RefreshMaterializedView (running the view's query), AlterTableBackfillColumns (computing a
 * column's values). The engine that computes them (LanceDB, Geneva) writes the data as a client and commits the
 * versions through CreateTableVersion, as any writer of the table.
 */
import type { LanceAlterTableBackfillColumnsRequest, LanceCreateMaterializedViewRequest } from '@lakegate/protocol';
import { CatalogError } from '../../errors/catalog-error.js';
import type { CatalogRequest } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { TableContext } from '../kit/table-kit.js';
import { parseFieldPath } from './field-paths.js';
import type { LanceTableService } from './lance-tables.js';
import { materializedViewOf } from './lance-records.js';
import { checkMaterializedViewDefinition, checkNoEngineNeeded } from './materialized-view-definition.js';
import { checkBranch, checkVersion } from './versions/checks.js';

const NO_ENGINE = 'this catalog stores materialized view and computed column definitions and runs no query engine';

export class LanceMaterializedViewService {
  constructor(
    private readonly ctx: TableContext,
    private readonly tables: LanceTableService,
  ) {}

  async create(request: CatalogRequest, idInput: unknown, input: Partial<LanceCreateMaterializedViewRequest>): Promise<{ version: number }> {
    // validate
    this.tables.checkCreatable(idInput);
    const definition = checkMaterializedViewDefinition(input);
    checkNoEngineNeeded(input);
    // authorize, execute: as DeclareTable, the definition stored in the table's record
    await this.tables.declare(request, idInput, { vendCredentials: false }, { materializedView: definition });
    return { version: 0 };
  }

  /** Always ERR_NOT_IMPLEMENTED once the view is found and the caller may write it. */
  async refresh(request: CatalogRequest, idInput: unknown, input: { src_version?: unknown } = {}): Promise<never> {
    // validate
    if (input.src_version !== undefined && input.src_version !== null) checkVersion(input.src_version, 'src_version');
    const scope = await this.ctx.scope(request);
    // authorize: a refresh writes the view's data
    const { id, record } = await this.tables.requireTable(scope, idInput, ['table:write-data']);
    const view = formatIdentifier(id.namespace, id.name);
    if (materializedViewOf(record) === undefined)
      throw new CatalogError('ERR_TABLE_NOT_FOUND', `Materialized view does not exist: ${view} is a table, not a materialized view`);
    // execute
    throw new CatalogError(
      'ERR_NOT_IMPLEMENTED',
      `RefreshMaterializedView is not supported: ${NO_ENGINE}. The engine that computes ${view} (e.g. LanceDB or Geneva) writes its data and commits its versions as a client (DescribeTable answers its definition in the materialized_view.* properties)`,
    );
  }

  /** Always ERR_NOT_IMPLEMENTED once the table is found and the caller may write it. */
  async backfill(request: CatalogRequest, idInput: unknown, input: Partial<LanceAlterTableBackfillColumnsRequest>): Promise<never> {
    // validate
    if (typeof input.column !== 'string' || input.column.length === 0) throw new CatalogError('ERR_VALIDATION', 'column is required');
    parseFieldPath(input.column);
    checkBranch(input.branch);
    if (input.read_version !== undefined && input.read_version !== null) checkVersion(input.read_version, 'read_version');
    const scope = await this.ctx.scope(request);
    // authorize: a backfill writes the column's values
    const { id } = await this.tables.requireTable(scope, idInput, ['table:write-data']);
    // execute
    throw new CatalogError(
      'ERR_NOT_IMPLEMENTED',
      `AlterTableBackfillColumns is not supported: ${NO_ENGINE}. Computing ${JSON.stringify(input.column)} of ${formatIdentifier(id.namespace, id.name)} is the client's: it writes the values and commits the version`,
    );
  }
}
