/**
 * The LanceBranchCreator port (catalog/ports/lance-writer.ts) on LanceDB's `Table.branches().create` (npm
 * @lancedb/lancedb, tested with 0.39.0): CreateTableBranch (lance-namespace 0.13).
 *
 * As UpdateFieldMetadata does (lancedb-field-metadata.ts), each call starts the catalog's own Lance surface on a private
 * listener (lancedb-loopback.ts) with one secret only this call holds, and LanceDB opens the table through it as the
 * caller (DescribeTable: the table's location and vended storage options). Lance writes the branch's ref and first
 * manifest under the table's location, and commits that version through CreateTableVersion with the new branch, which
 * starts the branch's chain in the catalog; nothing here writes `_versions/` or the catalog's records itself.
 */
import { CatalogError } from '../errors/catalog-error.js';
import type { LanceBranchCreator, LanceBranchSource, LanceBranchTarget } from '../catalog/ports/lance-writer.js';
import { MAIN_BRANCH } from '../catalog/ports/lance-versions.js';
import { type LanceDb, LanceDbLoopback, type LoopbackLanceApp, lanceConflict } from './lancedb-loopback.js';
import { cleanReason, libraryFailure } from './library-errors.js';

export class LanceDbBranchCreator implements LanceBranchCreator {
  private readonly lance: LanceDbLoopback;

  constructor(
    loopback: LoopbackLanceApp,
    /** How the library is loaded (a test passes one that fails, as an install without it would). */
    load?: () => Promise<LanceDb>,
  ) {
    this.lance = new LanceDbLoopback('CreateTableBranch', loopback, load);
  }

  async create(target: LanceBranchTarget, source: LanceBranchSource): Promise<{ version: number }> {
    await this.lance.lancedb();
    return this.lance.withNamespace(target.warehouse, target.committer, async (db) => {
      try {
        const table = await db.openTable(target.name, target.namespace);
        try {
          const branches = await table.branches();
          // Lance keeps a branch's ref beside the catalog's chain: one without a chain (a create that failed before its
          // commit, or a ref written by hand) still holds the name.
          if (Object.hasOwn(await branches.list(), target.branch)) {
            throw new CatalogError('ERR_BRANCH_EXISTS', `The table has a branch ${JSON.stringify(target.branch)} already (Lance's ref)`);
          }
          const created = await branches.create(target.branch, source.branch === MAIN_BRANCH ? undefined : source.branch, source.version);
          try {
            return { version: await created.version() };
          } finally {
            created.close();
          }
        } finally {
          table.close();
        }
      } catch (e) {
        if (e instanceof CatalogError) throw e;
        // A ref Lance finds already there (written between the check above and its own), or a commit lost to another
        // writer of the branch: the name is taken, or the branch moved (the service tells the two apart by the catalog's chain).
        if (/already exists/i.test(cleanReason(e)))
          throw new CatalogError('ERR_BRANCH_EXISTS', `The table has a branch ${JSON.stringify(target.branch)} already`);
        const conflict = lanceConflict(e);
        if (conflict !== undefined)
          throw new CatalogError('ERR_COMMIT_CONFLICT', `CreateTableBranch lost to a concurrent commit of the branch (${conflict.reason})`);
        throw libraryFailure('CreateTableBranch', e);
      }
    });
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }
}
