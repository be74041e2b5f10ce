/**
 * RestoreTable on a table of catalog-managed versions: the table's next version gets the state of an earlier one, as
 * Lance's own restore does it (a new version, nothing copied but the manifest; manifest-file.ts says what the new
 * manifest holds). The new version is recorded like any other (ports/lance-versions.ts append): the head moves by
 * compare-and-swap and the manifest is written to its final name inside that transaction, so a commit that lands
 * meanwhile makes the restore a 409 (ConcurrentModification), and nothing is half-recorded. The Restore transaction
 * file is written first, under a fresh uuid: if the restore then fails, it is an unreferenced file, as a failed Lance
 * commit leaves one (Lance's cleanup removes those).
 */
import { CatalogError, commitConflict, illegalArgument } from '../../../errors/catalog-error.js';
import type { RequestScope } from '../../context.js';
import { formatIdentifier } from '../../identifiers.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import { changeEvent } from '../../outbox/changes.js';
import type { LanceTableId } from '../table-id.js';
import { readManifestFields, restoredManifest, restoreTransaction } from './manifest-file.js';
import { finalManifestUri, lanceStorage, manifestName, type ManifestNamingScheme } from './manifest-paths.js';
import { type LanceVersionRecord, MAIN_BRANCH } from '../../ports/lance-versions.js';
// The largest manifest the catalog reads to restore: as CreateTableVersion copies.
import { MAX_MANIFEST_BYTES } from './staged-version.js';
import { LanceCommitQueue } from '../../lance-commit-queue.js';

export async function restoreVersion(
  ctx: TableContext,
  scope: RequestScope,
  id: LanceTableId,
  record: CatalogObjectRecord,
  version: number,
  branch: string = MAIN_BRANCH,
  location: string = record.location,
): Promise<{ restored: LanceVersionRecord; transactionId: string }> {
  const table = formatIdentifier(id.namespace, id.name);
  const versions = ctx.store.lanceVersions;
  const [source, [latest]] = await Promise.all([versions.get(record.id, branch, version), versions.list(record.id, branch, { descending: true, limit: 1 })]);
  const missing = () => new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `Table ${table} has no version ${version} in the catalog`);
  if (!source || !latest) throw missing();
  const storage = lanceStorage(await ctx.storageFor(scope.warehouse));
  if (!(await storage.exists(source.manifestUri)))
    throw new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `The manifest of version ${version} of table ${table} is no longer in storage`);
  const [old, head] = await Promise.all([storage.read(source.manifestUri, MAX_MANIFEST_BYTES), storage.read(latest.manifestUri, MAX_MANIFEST_BYTES)]);
  const fields = readManifestFields(old);
  if (fields.version !== version) throw illegalArgument(`The manifest recorded for version ${version} of table ${table} says it is version ${fields.version}`);
  if ((fields.branch ?? '') !== branch)
    throw illegalArgument(`The manifest recorded for version ${version} of table ${table} belongs to branch ${JSON.stringify(fields.branch ?? 'main')}`);

  // execute
  const next = latest.version + 1;
  const transactionId = ctx.newUuid();
  const transactionFile = `${latest.version}-${transactionId}.txn`;
  const now = ctx.clock.now();
  const bytes = restoredManifest(old, { version: next, timestampMs: now, transactionFile, latest: readManifestFields(head) });
  const root = location.replace(/\/+$/, '');
  await storage.writeNew(
    `${root}/_transactions/${transactionFile}`,
    restoreTransaction({ readVersion: latest.version, uuid: transactionId, restoredVersion: version }),
  );
  const finalUri = finalManifestUri(location, next, schemeOf(latest));
  const entry: LanceVersionRecord = {
    tableId: record.id,
    branch,
    version: next,
    manifestUri: finalUri,
    manifestSize: bytes.length,
    timestampMs: now,
    createdBy: scope.caller.description,
    metadata: { 'lakegate.restored-from': String(version) },
  };
  // A restore creates a version like any other: its change is recorded with it (issue 56; before, only logged).
  const change = changeEvent(ctx, scope.warehouse.name, scope.caller, {
    kind: 'lance-table.version-created',
    namespace: id.namespace,
    name: id.name,
    uuid: record.uuid,
    data: { version: next, 'manifest-path': finalUri, 'manifest-size': bytes.length, 'restored-from': version },
  });
  const append = () =>
    versions.append(entry, async () => {
      // The head is ours: a file already at the final name is left by an attempt whose transaction did not commit.
      if (await storage.exists(finalUri)) await storage.delete(finalUri);
      await storage.writeNew(finalUri, bytes);
    }, [change]);
  // In the table's queue of commits (lance-commit-queue.ts): a fence of optimize holds a restore too.
  const queue = ctx.lanceCommits;
  const refusal = await (queue === undefined ? append() : queue.commit([LanceCommitQueue.key(record.id, branch)], scope.caller, append));
  if (refusal) throw commitConflict(`Table ${table} got version ${next} from another commit while restoring version ${version}: retry`);
  return { restored: entry, transactionId };
}

/** The naming scheme the table's manifests use: the one its latest version was written under. */
function schemeOf(latest: LanceVersionRecord): ManifestNamingScheme {
  return latest.manifestUri.endsWith(`/_versions/${manifestName(latest.version, 'V1')}`) ? 'V1' : 'V2';
}
