/**
 * The LanceOptimizer port (catalog/ports/lance-optimizer.ts) on LanceDB's `Table.optimize` (npm @lancedb/lancedb,
 * tested with 0.39.0): compaction of small fragments, then the indexes brought up to date over the new data.
 *
 * Why a loopback namespace: LanceDB commits a table opened through a REST namespace whose DescribeTable says
 * `managed_versioning: true` through the namespace's CreateTableVersion (the new manifest staged, the catalog moving
 * the head by compare-and-swap and placing it at its final name). Opening the dataset by its path instead would make
 * Lance write `_versions/` itself, beside the catalog's commit point, and a client's CreateTableVersion could replace
 * that manifest. So each job starts the catalog's own Lance surface on a private listener (127.0.0.1, a free port,
 * for the job's length; lancedb-loopback.ts), authenticated by one secret only the job holds (job-credential.ts), and
 * LanceDB commits through it: the same routes, checks, events and audit records as any client, as
 * `system:maintenance`. A concurrent writer that takes the version optimize wanted makes CreateTableVersion answer
 * 409, and Lance rebases its commit (compaction and index optimization commute with appends); the catalog then holds
 * the table's other commits until that rebased commit lands (bounded: catalog/lance-commit-queue.ts), so a
 * writer committing back to back does not starve the job. A concurrent delete or
 * update of fragments optimize rewrote wins instead: Lance refuses optimize's commit as a retryable conflict (or as an
 * incompatible one), and the job runs optimize again on the new latest version (ATTEMPTS in all), then gives up with
 * ERR_COMMIT_CONFLICT when the last attempt lost such a race (lanceConflict, lancedb-loopback.ts), never a 503.
 * Nothing a writer commits is lost.
 *
 * LanceDB's optimize also prunes old versions; the job passes a cutoff of the epoch, so it removes none (the catalog's
 * versions are forgotten only through BatchDeleteTableVersions). The library is an optional native dependency, loaded
 * on the first job: without it, optimize is refused (ERR_NOT_IMPLEMENTED, 406, worded as CreateTable with data's
 * refusal: lancedb-loopback.ts) and nothing else changes.
 */
import { CatalogError } from '../errors/catalog-error.js';
import type { LanceOptimizer, LanceOptimizeStats, LanceOptimizeTarget } from '../catalog/ports/lance-optimizer.js';
import { type LanceDb, LanceDbLoopback, type LoopbackLanceApp, lanceConflict } from './lancedb-loopback.js';
import { cleanReason } from './library-errors.js';

/** Attempts of one job's optimize when a concurrent change preempts its commit (a delete or update of fragments it rewrote). */
const ATTEMPTS = 3;

export class LanceDbOptimizer implements LanceOptimizer {
  private readonly lance: LanceDbLoopback;

  constructor(
    loopback: LoopbackLanceApp,
    /** How the library is loaded (a test passes one that fails, as an install without it would). */
    load?: () => Promise<LanceDb>,
  ) {
    this.lance = new LanceDbLoopback('optimize', loopback, load);
  }

  async optimize(target: LanceOptimizeTarget): Promise<LanceOptimizeStats> {
    await this.lance.lancedb();
    target.signal?.throwIfAborted();
    return this.lance.withNamespace(target.warehouse, target.committer, async (db) => {
      for (let attempt = 1; ; attempt += 1) {
        // Opened again on each attempt: a retry plans on the latest version, with the concurrent change in it.
        const table = await db.openTable(target.name, target.namespace);
        try {
          const stats = await table.optimize({ cleanupOlderThan: new Date(0) });
          const c = stats.compaction;
          return {
            fragmentsRemoved: c.fragmentsRemoved,
            fragmentsAdded: c.fragmentsAdded,
            filesRemoved: c.filesRemoved,
            filesAdded: c.filesAdded,
            attempts: attempt,
          };
        } catch (e) {
          if (e instanceof CatalogError) throw e;
          // A lost race as Lance reports it: a Rewrite preempted by a concurrent Delete or Update of its fragments
          // (retryable), or one incompatible with a concurrent change (a schema change, say): lanceConflict.
          const conflict = lanceConflict(e)?.reason;
          if (attempt >= ATTEMPTS || target.signal?.aborted) {
            if (conflict !== undefined)
              throw new CatalogError(
                'ERR_COMMIT_CONFLICT',
                `optimize gave up after ${attempt} attempt(s), each preempted by a concurrent change (${conflict}); the concurrent changes were kept; run it again`,
              );
            // Any other failure of the library is this job's, never a 500: each version it made went through the
            // catalog's compare-and-swap, so the table is consistent whatever attempt failed.
            throw new CatalogError('ERR_UNAVAILABLE', `optimize failed in the Lance library after ${attempt} attempt(s): ${cleanReason(e)}; run it again`);
          }
          // A failure that is not a preempted commit (seen once in about six runs beside a concurrent appender, not
          // reproduced since) is tried again as well, on the latest version: bounded, and reported if it persists.
        } finally {
          table.close();
        }
      }
    });
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }
}
