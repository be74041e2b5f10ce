/**
 * What CreateTableVersion and BatchCreateTableVersions share: the checks of one version entry, and the staged manifest
 * read and placed. A staged manifest becomes version N by a copy to its final `_versions/` name made inside the write
 * transaction that records its row (ports/lance-versions.ts append/appendMany), so a version's manifest appears at its final name
 * only with its row: a writer told its version is taken (409) finds the winner's version recorded when it verifies.
 * (Writing the final name before the transaction was tried: Lance, verifying a 409, read a final manifest whose row
 * was not committed yet, rebased on it and sent a version that skipped.)
 */
import { commitConflict, illegalArgument, validation } from '../../../errors/catalog-error.js';
import type { RequestScope } from '../../context.js';
import { checkStringMap, formatIdentifier } from '../../identifiers.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import type { LanceTableId } from '../table-id.js';
import { checkVersion } from './checks.js';
import { finalManifestUri, inForm, lanceStorage, type ManifestNamingScheme, type PathForm, stagedManifest } from './manifest-paths.js';
import type { AppendRefusal, LanceVersionRecord } from '../../ports/lance-versions.js';

/** The largest manifest the catalog copies (a manifest lists fragments, not rows: large tables stay far below this). */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

export interface CreateVersionInput {
  version?: unknown;
  manifestPath?: unknown;
  manifestSize?: unknown;
  namingScheme?: unknown;
  branch?: unknown;
  metadata?: unknown;
}

/** A version as the wire shows it; `manifestPath` in the form the client asked in. */
export interface LanceVersionInfo {
  version: number;
  manifestPath: string;
  manifestSize: number;
  eTag?: string | undefined;
  timestampMs: number;
  metadata: Record<string, string>;
  createdBy: string;
}

export interface CheckedVersion {
  version: number;
  manifestPath: string;
  size: number | undefined;
  scheme: ManifestNamingScheme;
  metadata: Record<string, string>;
}

/** A staged manifest read, with the record it becomes and where it goes. */
export interface StagedVersion {
  entry: LanceVersionRecord;
  bytes: Uint8Array;
  stagedUri: string;
  form: PathForm;
  table: string;
}

type Storage = ReturnType<typeof lanceStorage>;

export function checkVersionInput(input: CreateVersionInput): CheckedVersion {
  const version = checkVersion(input.version, 'version');
  if (typeof input.manifestPath !== 'string' || input.manifestPath.length === 0) throw validation('manifest_path is required');
  const size = input.manifestSize === undefined || input.manifestSize === null ? undefined : checkVersion(input.manifestSize, 'manifest_size');
  return { version, manifestPath: input.manifestPath, size, scheme: checkScheme(input.namingScheme), metadata: checkStringMap(input.metadata, 'metadata') };
}

/**
 * Reads the staged manifest of a checked version of an authorized table, after one read of the chain's head: a version
 * already taken (a lost race: most of the attempts of concurrent writers) is answered without waiting for the write
 * transaction. Only "taken" is decided here: this read may lag a commit in flight (never lead it), so a version it sees
 * as skipping may be the next one once that commit lands; the write transaction decides that.
 */
export async function readStaged(
  ctx: TableContext,
  scope: RequestScope,
  storage: Storage,
  target: { id: LanceTableId; record: CatalogObjectRecord; branch: string },
  checked: CheckedVersion,
): Promise<StagedVersion> {
  const { id, record, branch } = target;
  const table = formatIdentifier(id.namespace, id.name);
  const root = branchRoot(record.location, branch);
  const staged = stagedManifest(checked.manifestPath, root);
  const head = await ctx.store.lanceVersions.head(record.id, branch);
  if (head !== undefined && checked.version <= head) refuse({ kind: 'taken' }, checked.version, table);
  if (!(await storage.exists(staged.uri))) throw illegalArgument(`The staged manifest ${checked.manifestPath} does not exist`);
  const bytes = await storage.read(staged.uri, MAX_MANIFEST_BYTES);
  if (checked.size !== undefined && checked.size !== bytes.length)
    throw illegalArgument(`manifest_size ${checked.size} differs from the staged manifest's size ${bytes.length}`);
  const entry: LanceVersionRecord = {
    tableId: record.id,
    branch,
    version: checked.version,
    manifestUri: finalManifestUri(root, checked.version, checked.scheme),
    manifestSize: bytes.length,
    timestampMs: ctx.clock.now(),
    createdBy: scope.caller.description,
    metadata: checked.metadata,
  };
  return { entry, bytes, stagedUri: staged.uri, form: staged.form, table };
}

/** Writes the manifest at its final name; run inside the write transaction, once the head is ours. */
export async function placeManifest(storage: Storage, staged: StagedVersion): Promise<void> {
  // A file already at the final name is left by an attempt whose transaction did not commit.
  if (await storage.exists(staged.entry.manifestUri)) await storage.delete(staged.entry.manifestUri);
  await storage.writeNew(staged.entry.manifestUri, staged.bytes);
}

export function refuse(refusal: AppendRefusal | undefined, version: number, table: string): void {
  if (refusal?.kind === 'taken') throw commitConflict(`Version ${version} of table ${table} already exists`);
  if (refusal?.kind === 'skips')
    throw illegalArgument(`Version ${version} of table ${table} skips a version: the latest is ${refusal.latest}, so the next is ${refusal.latest + 1}`);
}

export const info = (r: LanceVersionRecord, form: PathForm): LanceVersionInfo => ({
  version: r.version,
  manifestPath: inForm(r.manifestUri, form),
  manifestSize: r.manifestSize,
  ...(r.eTag !== undefined ? { eTag: r.eTag } : {}),
  timestampMs: r.timestampMs,
  metadata: r.metadata,
  createdBy: r.createdBy,
});

function checkScheme(value: unknown): ManifestNamingScheme {
  if (value === undefined || value === null) return 'V2';
  if (value === 'V1' || value === 'V2') return value;
  throw validation('naming_scheme must be V1 or V2');
}

/** Where a branch's dataset lives: the table's location for main, <location>/tree/<branch> for another (as Lance writes it). */
export function branchRoot(location: string, branch: string): string {
  return branch === '' ? location : `${location.replace(/\/+$/, '')}/tree/${branch}`;
}
