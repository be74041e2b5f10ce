/**
 * BatchCreateTableVersions (lance-namespace 0.13): versions of several tables of catalog-managed versions, created
 * atomically. Every entry is checked and authorized (`table:write-data` on its table) before anything is written; the
 * rows, their manifests at final names and their change events are recorded in one database transaction
 * (ports/lance-versions.ts appendMany): if any version is taken (409 ConcurrentModification) or skips (400), none is recorded and no
 * final manifest is written. A manifest write that fails midway may leave earlier final names written with no row: the
 * next writer of that version deletes such a file before writing its own (staged-version.ts placeManifest), as a
 * single version's failed attempt leaves one. Framework-free: no HTTP, no SQL.
 */
import { CatalogError, validation } from '../../../errors/catalog-error.js';
import { describeObject } from '../../access/access-service.js';
import type { CatalogRequest } from '../../context.js';
import { changeEvent } from '../../outbox/changes.js';
import type { TableContext } from '../../kit/table-kit.js';
import { requireManagedTable } from './managed-table.js';
import { LanceCommitQueue } from '../../lance-commit-queue.js';
import { lanceStorage } from './manifest-paths.js';
import { type CheckedVersion, checkVersionInput, info, type LanceVersionInfo, placeManifest, readStaged, refuse } from './staged-version.js';

/** The most entries one batch takes. */
export const MAX_BATCH_ENTRIES = 100;

export class LanceBatchVersionService {
  constructor(private readonly ctx: TableContext) {}

  async create(request: CatalogRequest, entriesInput: unknown): Promise<LanceVersionInfo[]> {
    // validate
    if (!Array.isArray(entriesInput) || entriesInput.length === 0) throw validation('entries must be a non-empty array');
    if (entriesInput.length > MAX_BATCH_ENTRIES) throw validation(`entries holds at most ${MAX_BATCH_ENTRIES} versions`);
    const entries = entriesInput.map((raw: unknown, i) => {
      const e = (raw ?? {}) as Record<string, unknown>;
      return {
        id: e.id,
        branch: e.branch,
        checked: inEntry(i, () =>
          checkVersionInput({
            version: e.version,
            manifestPath: e.manifest_path,
            manifestSize: e.manifest_size,
            namingScheme: e.naming_scheme,
            metadata: e.metadata,
          }),
        ),
      };
    });
    const scope = await this.ctx.scope(request);
    // authorize
    const targets: Awaited<ReturnType<typeof requireManagedTable>>[] = [];
    for (const [i, e] of entries.entries())
      targets.push(await inEntry(i, () => requireManagedTable(this.ctx, scope, e.id, ['table:write-data'], e.branch, true)));
    const chains = new Set(targets.map((t) => `${t.record.id}\u0000${t.branch}`));
    if (chains.size !== targets.length) throw validation('entries name the same table and branch more than once: one version per table and branch in a batch');
    // execute
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    const staged = await Promise.all(targets.map((t, i) => inEntry(i, () => readStaged(this.ctx, scope, storage, t, entries[i]!.checked as CheckedVersion))));
    const events = staged.map(({ entry }, i) =>
      changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
        kind: 'lance-table.version-created',
        namespace: targets[i]!.id.namespace,
        name: targets[i]!.id.name,
        uuid: targets[i]!.record.uuid,
        data: { version: entry.version, 'manifest-path': entry.manifestUri, 'manifest-size': entry.manifestSize, batch: true },
      }),
    );
    const append = () =>
      this.ctx.store.lanceVersions.appendMany(
        staged.map((s) => s.entry),
        async () => {
          for (const s of staged) await placeManifest(storage, s);
        },
        events,
      );
    // In the queues of its tables' commits (lance-commit-queue.ts): a fence of optimize on one of them holds the batch too.
    const keys = targets.map((t) => LanceCommitQueue.key(t.record.id, t.branch));
    const refused = await (this.ctx.lanceCommits === undefined ? append() : this.ctx.lanceCommits.commit(keys, scope.caller, append));
    if (refused) refuse(refused.refusal, staged[refused.index]!.entry.version, staged[refused.index]!.table);
    await Promise.all(staged.map((s) => storage.delete(s.stagedUri).catch(() => undefined)));
    for (const [i, { entry }] of staged.entries()) {
      const { id } = targets[i]!;
      await this.ctx.access.record(
        scope.caller,
        'lance.version.created',
        'allow',
        'table:write-data',
        describeObject(scope.warehouse.name, id.namespace, id.name),
        { version: entry.version, manifest: entry.manifestUri, batch: true },
      );
    }
    return staged.map((s) => info(s.entry, s.form));
  }
}

/** Runs a step for entry i: an input error names the entry (`entries[1]: version must be …`). */
function inEntry<T>(i: number, step: () => T): T {
  const prefix = (e: unknown) => {
    if (e instanceof CatalogError && (e.code === 'ERR_VALIDATION' || e.code === 'ERR_ILLEGAL_ARGUMENT'))
      return new CatalogError(e.code, `entries[${i}]: ${e.message}`);
    return e;
  };
  try {
    const out = step();
    return (out instanceof Promise ? out.catch((e: unknown) => Promise.reject(prefix(e))) : out) as T;
  } catch (e) {
    throw prefix(e);
  }
}
