/**
 * The LanceTableWriter port (catalog/ports/lance-writer.ts) on LanceDB's `createTable` (npm @lancedb/lancedb, tested
 * with 0.39.0): CreateTable with an Arrow IPC body (issue 58).
 *
 * As optimize does (lancedb-optimizer.ts says why), each call starts the catalog's own Lance surface on a private
 * listener (127.0.0.1, a free port, for the call's length; lancedb-loopback.ts, shared with optimize) with one secret
 * only this call holds (job-credential.ts), and LanceDB creates the table through it as a REST namespace client: it
 * declares the table (DeclareTable, as the caller, carrying CreateTable's location and properties: declaringWith in
 * lancedb-loopback.ts), writes the data files at the table's location (the one asked for, else the catalog's), and
 * commits the first version through CreateTableVersion (the table's versions are managed by the catalog), never by
 * writing `_versions/` itself.
 *
 * The stream is read with apache-arrow (a dependency of the server) before anything is stored; the library is loaded
 * on the first call: without it, CreateTable with data is refused (ERR_NOT_IMPLEMENTED, 406, worded as optimize's
 * refusal) and nothing changes.
 */
import type { Table as ArrowTable } from 'apache-arrow';
import { CatalogError, validation } from '../errors/catalog-error.js';
import type { LanceCreateTarget, LanceIpcSummary, LanceTableWriter } from '../catalog/ports/lance-writer.js';
import { type LanceDb, LanceDbLoopback, type LanceNamespaceClient, type LoopbackLanceApp, lanceConflict } from './lancedb-loopback.js';
import { libraryFailure } from './library-errors.js';

/**
 * The stream as a table, or ERR_VALIDATION (a malformed stream is the caller's 400, never a 500). Apache Arrow is
 * imported by the first stream read, not when the server starts.
 */
async function readIpc(ipc: Uint8Array): Promise<ArrowTable> {
  const { tableFromIPC } = await import('apache-arrow');
  let table: ArrowTable;
  try {
    table = tableFromIPC(ipc);
  } catch (e) {
    throw validation(`The body is not an Arrow IPC stream: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200)}`);
  }
  if (table.schema.fields.length === 0) throw validation('The body is not an Arrow IPC stream with a schema: a table needs at least one column');
  return table;
}

export class LanceDbTableWriter implements LanceTableWriter {
  private readonly lance: LanceDbLoopback;

  constructor(
    loopback: LoopbackLanceApp,
    /** How the library is loaded (a test passes one that fails, as an install without it would). */
    load?: () => Promise<LanceDb>,
  ) {
    this.lance = new LanceDbLoopback('CreateTable with data', loopback, load);
  }

  async check(ipc: Uint8Array): Promise<LanceIpcSummary> {
    const table = await readIpc(ipc);
    return { columns: table.schema.fields.length, rows: table.numRows };
  }

  async create(target: LanceCreateTarget, ipc: Uint8Array): Promise<{ version: number }> {
    await this.lance.lancedb();
    const data = await readIpc(ipc);
    const answered = { declare: [] as number[], commit: [] as number[] };
    const declare = { ...target.declare, answered: (status: number, operation: 'declare' | 'commit') => answered[operation].push(status) };
    return this.lance.withNamespace(target.warehouse, target.committer, (db) => this.write(db, target, data, answered), { declare });
  }

  /** LanceDB creates the table: DeclareTable (carrying the target's location and properties), data, CreateTableVersion. */
  private async write(
    db: LanceNamespaceClient,
    target: LanceCreateTarget,
    data: ArrowTable,
    answered: { declare: readonly number[]; commit: readonly number[] },
  ): Promise<{ version: number }> {
    try {
      const table = await db.createTable(target.name, data, target.namespace, { mode: 'create' });
      try {
        return { version: await table.version() };
      } finally {
        table.close();
      }
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      // The catalog answered LanceDB's DeclareTable 409: another client declared the name after the caller's 409
      // check. Nothing of this call was stored, and the other table is not this call's to remove.
      if (answered.declare.includes(409))
        throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${[...target.namespace, target.name].join('.')} (created concurrently)`);
      // The catalog answered LanceDB's CreateTableVersion 409: another client committed the declared table's first
      // version before this call's rows. That version is kept (the caller removes no table holding one).
      if (answered.commit.includes(409) || lanceConflict(e) !== undefined)
        throw new CatalogError(
          'ERR_COMMIT_CONFLICT',
          `Another client committed the first version of ${[...target.namespace, target.name].join('.')} while CreateTable wrote its data; its version was kept and this call's rows were not committed`,
        );
      // Data Lance cannot take as given (a null in a non-nullable column, say) is the caller's 400; storage's failure 503.
      throw libraryFailure('CreateTable', e);
    }
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }
}
