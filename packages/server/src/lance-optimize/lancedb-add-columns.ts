/**
 * The LanceColumnAdder port (catalog/ports/lance-writer.ts) on LanceDB's `Table.addColumns` (npm @lancedb/lancedb,
 * tested with 0.39.0): AlterTableAddColumns (lance-namespace 0.13), `expression` (`addColumns([{name, valueSql}])`,
 * evaluated once) and `computed` (`addColumns({computed: [...]})`: the column committed all-null with its expression
 * kept as its binding; LanceDB's `refreshColumn` fills it).
 *
 * As UpdateFieldMetadata does (lancedb-field-metadata.ts), each call starts the catalog's own Lance surface on a
 * private listener (lancedb-loopback.ts) with one secret only this call holds; LanceDB opens the table through it as the
 * caller, checks out the branch when it is not main, and commits the new schema as one version through
 * CreateTableVersion, never by writing `_versions/` itself. Before anything is written, a name the table already has
 * is refused, and the expressions are checked by queries over at most one row (`select`, checkExpressions below): one
 * the table cannot evaluate (an unknown column, bad SQL, a value that does not cast) is a 400 with the library's
 * reason. One that fails only while the column is computed (a row the trial did not read, a division DataFusion did
 * not run in the trial) is the same 400 (library-errors.ts), while storage failing is a 503; Lance commits nothing
 * in either case (the table's version is unchanged). A concurrent commit Lance could not rebase on is ERR_COMMIT_CONFLICT (409), the other version kept; it is
 * not replayed.
 */
import { CatalogError, validation } from '../errors/catalog-error.js';
import type { LanceColumnAdder, LanceFieldMetadataTarget, LanceNewColumn } from '../catalog/ports/lance-writer.js';
import { MAIN_BRANCH } from '../catalog/ports/lance-versions.js';
import { type LanceDb, LanceDbLoopback, type LanceNamespaceClient, type LoopbackLanceApp, lanceConflict } from './lancedb-loopback.js';
import { causedByRequest, cleanReason, libraryFailure } from './library-errors.js';

export class LanceDbColumnAdder implements LanceColumnAdder {
  private readonly lance: LanceDbLoopback;

  constructor(loopback: LoopbackLanceApp, load?: () => Promise<LanceDb>) {
    this.lance = new LanceDbLoopback('AlterTableAddColumns', loopback, load);
  }

  async add(target: LanceFieldMetadataTarget, columns: readonly LanceNewColumn[], computed: boolean): Promise<{ version: number }> {
    await this.lance.lancedb();
    return this.lance.withNamespace(target.warehouse, target.committer, async (db) => {
      try {
        return await apply(db, target, columns, computed);
      } catch (e) {
        if (e instanceof CatalogError) throw e;
        const conflict = lanceConflict(e);
        // An expression failing on a row the trial did not read (a cast, a division by zero) is the caller's 400;
        // Lance committed nothing (the version is unchanged). Storage and the service's own failures stay 503.
        if (conflict === undefined) throw libraryFailure('AlterTableAddColumns', e);
        throw new CatalogError(
          'ERR_COMMIT_CONFLICT',
          `AlterTableAddColumns lost to a concurrent commit of the table (${conflict.reason}); the concurrent change was kept and nothing of this call was committed: read the table again and retry`,
        );
      }
    });
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }
}

type OpenedTable = Awaited<ReturnType<LanceNamespaceClient['openTable']>>;

/**
 * Whether the table can evaluate every expression, without decoding a value it gives: LanceDB hands query results
 * over through apache-arrow 18, which cannot decode the view types DataFusion answers some string and binary
 * expressions with (`upper(name)` of a dictionary-encoded column is a Utf8View, Arrow type 24; BinaryView 23), so
 * reading the values refused those expressions (400 "Unrecognized type"). First the plan is built from the
 * expressions as given (parsed, every column and function resolved: an unknown column or bad SQL fails here); then
 * each is evaluated over one row as `(expression) IS NULL`, a boolean whatever its type, so a value that fails to
 * compute (a cast) still fails. The row id keeps the scan reading a column when no expression names one (a literal,
 * or an expression that cannot be null, whose test DataFusion folds to false without computing it; a failure in such
 * a one surfaces from addColumns itself). Lance stores a view-typed result as its plain type (Utf8, Binary).
 */
async function checkExpressions(table: OpenedTable, columns: readonly LanceNewColumn[]): Promise<void> {
  const select = (sql: (c: LanceNewColumn) => string) =>
    table
      .query()
      .select(Object.fromEntries(columns.map((c) => [c.name, sql(c)])))
      .withRowId()
      .limit(1);
  try {
    await select((c) => c.sql).explainPlan();
    await select((c) => `(${c.sql}) IS NULL`).toArray();
  } catch (e) {
    if (!causedByRequest(e)) throw libraryFailure('AlterTableAddColumns', e);
    throw validation(`The table cannot evaluate the expressions of new_columns: ${cleanReason(e)}`);
  }
}

async function apply(
  db: LanceNamespaceClient,
  target: LanceFieldMetadataTarget,
  columns: readonly LanceNewColumn[],
  computed: boolean,
): Promise<{ version: number }> {
  const opened = await db.openTable(target.name, target.namespace);
  let table = opened;
  try {
    if (target.branch !== MAIN_BRANCH) table = await (await opened.branches()).checkout(target.branch);
    const there = new Set((await table.schema()).fields.map((f) => f.name));
    const taken = columns.filter((c) => there.has(c.name)).map((c) => JSON.stringify(c.name));
    if (taken.length > 0) throw validation(`The table already has a column ${taken.join(', ')}`);
    await checkExpressions(table, columns);
    const sql = columns.map((c) => ({ name: c.name, valueSql: c.sql }));
    const { version } = computed ? await table.addColumns({ computed: sql }) : await table.addColumns(sql);
    return { version };
  } finally {
    if (table !== opened) table.close();
    opened.close();
  }
}
