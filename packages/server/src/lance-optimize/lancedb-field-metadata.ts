/**
 * The LanceFieldMetadataWriter port (catalog/ports/lance-writer.ts) on LanceDB's `Table.updateFieldMetadata` (npm
 * @lancedb/lancedb, tested with 0.39.0): UpdateFieldMetadata (lance-namespace 0.13).
 *
 * As optimize and CreateTable with data do (lancedb-optimizer.ts says why), each call starts the catalog's own Lance
 * surface on a private listener (lancedb-loopback.ts) with one secret only this call holds, and LanceDB opens the table
 * through it as the caller (DescribeTable: the table's location and vended storage options), checks out the branch
 * when it is not main, and commits the changed schema as one new version through CreateTableVersion (the table's
 * versions are managed by the catalog), never by writing `_versions/` itself. The paths are resolved against the
 * table's schema first: one naming no field is refused before anything is written, listing the fields there are.
 * The answer's fields are read from the schema of the version just committed.
 *
 * A concurrent commit (another writer's version landing between this call's read and its CreateTableVersion, which
 * the catalog then answers 409): Lance rebases when the two commute (an append, a delete, metadata of another field)
 * and the call succeeds with the next version; when Lance refuses it as a retryable conflict (preempted, e.g. by an
 * added column) the call runs again on the new latest version, its paths checked again (ATTEMPTS in all); when Lance
 * refuses it as incompatible (the same field's metadata changed meanwhile), it is not replayed. Either refusal ends as
 * ERR_COMMIT_CONFLICT (409, ConcurrentModification), never a 503: the other writer's version is kept and nothing of
 * this call was committed (lanceConflict in lancedb-loopback.ts).
 */
import { CatalogError, validation } from '../errors/catalog-error.js';
import { canonicalFieldPath, fieldAt, fieldPaths, type SchemaField } from '../catalog/lance/field-paths.js';
import type { LanceFieldMetadataChange, LanceFieldMetadataTarget, LanceFieldMetadataWriter } from '../catalog/ports/lance-writer.js';
import { MAIN_BRANCH } from '../catalog/ports/lance-versions.js';
import { type LanceDb, LanceDbLoopback, type LanceNamespaceClient, type LoopbackLanceApp, lanceConflict } from './lancedb-loopback.js';
import { libraryFailure } from './library-errors.js';

/** The most field paths an error lists. */
const LISTED_FIELDS = 50;
/** Attempts of one call whose commit Lance refuses as a retryable conflict (preempted by a concurrent change). */
const ATTEMPTS = 3;

export class LanceDbFieldMetadataWriter implements LanceFieldMetadataWriter {
  private readonly lance: LanceDbLoopback;

  constructor(
    loopback: LoopbackLanceApp,
    /** How the library is loaded (a test passes one that fails, as an install without it would). */
    load?: () => Promise<LanceDb>,
  ) {
    this.lance = new LanceDbLoopback('UpdateFieldMetadata', loopback, load);
  }

  async update(
    target: LanceFieldMetadataTarget,
    changes: readonly LanceFieldMetadataChange[],
  ): Promise<{ version: number; fields: Record<string, Record<string, string>> }> {
    await this.lance.lancedb();
    return this.lance.withNamespace(target.warehouse, target.committer, async (db) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          // Opened again on each attempt: a retry reads the latest version, with the concurrent change in it.
          return await apply(db, target, changes);
        } catch (e) {
          if (e instanceof CatalogError) throw e;
          const conflict = lanceConflict(e);
          if (conflict === undefined) throw libraryFailure('UpdateFieldMetadata', e);
          if (!conflict.retryable || attempt >= ATTEMPTS)
            throw new CatalogError(
              'ERR_COMMIT_CONFLICT',
              `UpdateFieldMetadata lost to a concurrent commit of the table (${conflict.reason}${attempt > 1 ? `, after ${attempt} attempts` : ''}); the concurrent change was kept and nothing of this call was committed: read the table again and retry`,
            );
        }
      }
    });
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }
}

/** One attempt: the table's latest version (of the branch) read, the paths checked against it, the change committed. */
async function apply(
  db: LanceNamespaceClient,
  target: LanceFieldMetadataTarget,
  changes: readonly LanceFieldMetadataChange[],
): Promise<{ version: number; fields: Record<string, Record<string, string>> }> {
  const opened = await db.openTable(target.name, target.namespace);
  let table = opened;
  try {
    if (target.branch !== MAIN_BRANCH) table = await (await opened.branches()).checkout(target.branch);
    const before = (await table.schema()).fields as unknown as SchemaField[];
    const unknown = changes.filter((c) => fieldAt(before, c.segments) === undefined);
    if (unknown.length > 0) {
      const there = fieldPaths(before);
      throw validation(
        `The table has no field ${unknown.map((c) => JSON.stringify(canonicalFieldPath(c.segments))).join(', ')}; its fields: ${there
          .slice(0, LISTED_FIELDS)
          .join(', ')}${there.length > LISTED_FIELDS ? ', …' : ''}`,
      );
    }
    const { version } = await table.updateFieldMetadata(changes.map((c) => ({ path: c.path, metadata: c.metadata, ...(c.replace ? { replace: true } : {}) })));
    const after = (await table.schema()).fields as unknown as SchemaField[];
    const fields: Record<string, Record<string, string>> = {};
    for (const c of changes) fields[canonicalFieldPath(c.segments)] = Object.fromEntries(fieldAt(after, c.segments)?.metadata ?? []);
    return { version, fields };
  } finally {
    if (table !== opened) table.close();
    opened.close();
  }
}
