/**
 * Catalog-managed versions of Lance tables (`managed_versioning: true`): the Lance client writes each new manifest
 * to a staging path and asks the catalog to make it version N (CreateTableVersion); it reads the latest version and a
 * given one from the catalog (ListTableVersions, DescribeTableVersion) and forgets old ones (BatchDeleteTableVersions).
 * The catalog database is the commit point (ports/lance-versions.ts): a version exists once its row does, and its row is
 * inserted only with its manifest at the final `_versions/` name (see create), so a version is either wholly recorded
 * (row and manifest) or not at all. Framework-free: no HTTP, no SQL.
 *
 * Privileges: creating and deleting versions needs `table:write-data` (a version is a write of the table's data),
 * reading them `table:read-metadata`. Each version created is audited with its caller.
 */
import { CatalogError, commitConflict, illegalArgument, validation } from '../../../errors/catalog-error.js';
import { describeObject } from '../../access/access-service.js';
import type { Privilege } from '../../privileges.js';
import type { CatalogRequest, RequestScope } from '../../context.js';
import { checkStringMap, formatIdentifier } from '../../identifiers.js';
import { MAX_PAGE_SIZE, type PageRequest } from '../../paging.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import { checkLanceTableId, LANCE_TABLE, type LanceTableId } from '../table-id.js';
import { isManaged } from '../managed.js';
import { checkVersion } from './checks.js';
import { finalManifestUri, inForm, lanceStorage, type ManifestNamingScheme, type PathForm, stagedManifest } from './manifest-paths.js';
import { type AppendRefusal, type LanceVersionRecord, MAIN_BRANCH } from '../../ports/lance-versions.js';
import { restoreVersion } from './restore.js';
import { changeEvent } from '../../outbox/changes.js';

/** The largest manifest the catalog copies (a manifest lists fragments, not rows: large tables stay far below this). */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

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

export interface CreateVersionInput {
  version?: unknown;
  manifestPath?: unknown;
  manifestSize?: unknown;
  namingScheme?: unknown;
  branch?: unknown;
  metadata?: unknown;
}

export class LanceVersionService {
  constructor(private readonly ctx: TableContext) {}

  async create(request: CatalogRequest, idInput: unknown, input: CreateVersionInput): Promise<LanceVersionInfo> {
    // validate
    const version = checkVersion(input.version, 'version');
    if (typeof input.manifestPath !== 'string' || input.manifestPath.length === 0) throw validation('manifest_path is required');
    const size = input.manifestSize === undefined || input.manifestSize === null ? undefined : checkVersion(input.manifestSize, 'manifest_size');
    const scheme = checkScheme(input.namingScheme);
    const metadata = checkStringMap(input.metadata, 'metadata');
    const scope = await this.ctx.scope(request);
    // authorize
    // A branch's first version creates it in the catalog (Lance writes it under tree/<branch>/ when it branches).
    const { id, record, branch } = await this.requireManaged(scope, idInput, ['table:write-data'], input.branch, true);
    // execute
    const table = formatIdentifier(id.namespace, id.name);
    const root = branchRoot(record.location, branch);
    const staged = stagedManifest(input.manifestPath, root);
    // A version already taken (a lost race: most of the attempts of concurrent writers) is answered from one read,
    // without waiting for the write transaction; append checks again inside it. Only "taken" is decided here: this
    // read may lag a commit in flight (never lead it), so a version it sees as skipping may be the next one once that
    // commit lands; append decides that inside the write transaction, after the commit before it.
    const head = await this.ctx.store.lanceVersions.head(record.id, branch);
    if (head !== undefined && version <= head) refuse({ kind: 'taken' }, version, table);
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    if (!(await storage.exists(staged.uri))) throw illegalArgument(`The staged manifest ${input.manifestPath} does not exist`);
    const bytes = await storage.read(staged.uri, MAX_MANIFEST_BYTES);
    if (size !== undefined && size !== bytes.length) throw illegalArgument(`manifest_size ${size} differs from the staged manifest's size ${bytes.length}`);
    const finalUri = finalManifestUri(root, version, scheme);
    const entry: LanceVersionRecord = { tableId: record.id, branch, version, manifestUri: finalUri, manifestSize: bytes.length, timestampMs: this.ctx.clock.now(), createdBy: scope.caller.description, metadata };
    // The copy is made inside the write transaction, after the head's swap: a version's manifest appears at its
    // final name only with its row, so a writer told its version is taken (409) finds the winner's version recorded
    // when it verifies. (Writing the final name before the transaction was tried: Lance, verifying a 409, read a
    // final manifest whose row was not committed yet, rebased on it and sent a version that skipped.)
    const refusal = await this.ctx.store.lanceVersions.append(entry, async () => {
      // The head is ours: a file already at the final name is left by an attempt whose transaction did not commit.
      if (await storage.exists(finalUri)) await storage.delete(finalUri);
      await storage.writeNew(finalUri, bytes);
    }, [changeEvent(this.ctx, scope.warehouse.name, scope.caller, { kind: 'lance-table.version-created', namespace: id.namespace, name: id.name, uuid: record.uuid, data: { version, 'manifest-path': finalUri, 'manifest-size': bytes.length } })]);
    refuse(refusal, version, table);
    await storage.delete(staged.uri).catch(() => undefined);
    await this.ctx.access.record(scope.caller, 'lance.version.created', 'allow', 'table:write-data', describeObject(scope.warehouse.name, id.namespace, id.name), { version, manifest: finalUri });
    this.ctx.events.emit({ type: 'lance-table.version-created', warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, version });
    return info(entry, staged.form);
  }

  async list(request: CatalogRequest, idInput: unknown, input: { paging: PageRequest; descending?: boolean | undefined; branch?: unknown }): Promise<{ versions: LanceVersionInfo[]; nextPageToken: string | null }> {
    // validate
    const scope = await this.ctx.scope(request);
    // authorize
    const { record, branch } = await this.requireManaged(scope, idInput, ['table:read-metadata'], input.branch);
    // execute
    const descending = input.descending === true;
    const { limit, after } = versionPage(input.paging);
    const rows = await this.ctx.store.lanceVersions.list(record.id, branch, { descending, after, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { versions: items.map((r) => info(r, 'path')), nextPageToken: rows.length > limit ? `v${items.at(-1)!.version}` : null };
  }

  /** One version, or the latest when `version` is absent. */
  async describe(request: CatalogRequest, idInput: unknown, input: { version?: unknown; branch?: unknown }): Promise<LanceVersionInfo> {
    // validate
    const version = input.version === undefined || input.version === null ? undefined : checkVersion(input.version, 'version');
    const scope = await this.ctx.scope(request);
    // authorize
    const { id, record, branch } = await this.requireManaged(scope, idInput, ['table:read-metadata'], input.branch);
    // execute
    return info(await this.require(record, id, version, branch), 'path');
  }

  /** Forgets the version rows in the ranges ([start, end); end -1: open). The table's latest version is always kept: it is its current state. */
  async batchDelete(request: CatalogRequest, idInput: unknown, input: { ranges?: unknown; branch?: unknown }): Promise<number> {
    // validate
    const ranges = checkRanges(input.ranges);
    const scope = await this.ctx.scope(request);
    // authorize
    const { id, record, branch } = await this.requireManaged(scope, idInput, ['table:write-data'], input.branch);
    // execute
    const [latest] = await this.ctx.store.lanceVersions.list(record.id, branch, { descending: true, limit: 1 });
    const kept = latest === undefined ? ranges : ranges.flatMap((r) => splitAround(r, latest.version));
    const deleted = await this.ctx.store.lanceVersions.deleteRanges(record.id, branch, kept);
    if (deleted > 0) {
      await this.ctx.access.record(scope.caller, 'lance.versions.deleted', 'allow', 'table:write-data', describeObject(scope.warehouse.name, id.namespace, id.name), { ranges, deleted });
    }
    return deleted;
  }

  /**
   * RestoreTable: the table's next version gets the state of `version` (restore.ts). A restore writes the table's
   * state, so it needs `table:write-data`, and is audited with its caller like a created version.
   */
  async restore(request: CatalogRequest, idInput: unknown, input: { version?: unknown; branch?: unknown }): Promise<{ version: LanceVersionInfo; transactionId: string }> {
    // validate
    const version = checkVersion(input.version, 'version');
    const scope = await this.ctx.scope(request);
    // authorize
    const { id, record, branch } = await this.requireManaged(scope, idInput, ['table:write-data'], input.branch);
    // execute
    const { restored, transactionId } = await restoreVersion(this.ctx, scope, id, record, version, branch, branchRoot(record.location, branch));
    await this.ctx.access.record(scope.caller, 'lance.version.restored', 'allow', 'table:write-data', describeObject(scope.warehouse.name, id.namespace, id.name), {
      version: restored.version,
      restoredFrom: version,
      manifest: restored.manifestUri,
    });
    this.ctx.events.emit({ type: 'lance-table.version-created', warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, version: restored.version });
    return { version: info(restored, 'path'), transactionId };
  }

  /** For DescribeTable with `version`: the version must exist. Authorization is the caller's (DescribeTable's). */
  async requireVersion(record: CatalogObjectRecord, id: LanceTableId, version: number): Promise<LanceVersionRecord> {
    return this.require(record, id, version, MAIN_BRANCH);
  }

  private async require(record: CatalogObjectRecord, id: LanceTableId, version: number | undefined, branch: string): Promise<LanceVersionRecord> {
    const found =
      version === undefined ? (await this.ctx.store.lanceVersions.list(record.id, branch, { descending: true, limit: 1 }))[0] : await this.ctx.store.lanceVersions.get(record.id, branch, version);
    if (!found) throw new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `Table ${formatIdentifier(id.namespace, id.name)} has no version ${version ?? '(none committed yet)'}`);
    return found;
  }

  /**
   * The table, authorized, whose versions the catalog manages, and the branch asked for (MAIN_BRANCH for main). A
   * branch other than main exists once it has a version: `creating` (CreateTableVersion) may start one.
   */
  private async requireManaged(scope: RequestScope, idInput: unknown, privileges: Privilege[], branchInput: unknown, creating = false): Promise<{ id: LanceTableId; record: CatalogObjectRecord; branch: string }> {
    const id = checkLanceTableId(idInput);
    const branch = checkBranch(branchInput);
    const [ns, record] = await Promise.all([this.ctx.access.namespacePath(scope.warehouse, id.namespace), this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name)]);
    const object = describeObject(scope.warehouse.name, id.namespace, id.name);
    const missing = () => new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(id.namespace, id.name)}`);
    if (!record || record.kind !== LANCE_TABLE) return this.ctx.access.notFoundOrForbidden(scope, ns.path, privileges[0]!, object, missing);
    // Like DescribeTable, an allowed read is not audited; a created or deleted version is, by its own event.
    await this.ctx.access.requireAll(scope, privileges, this.ctx.access.objectPath(ns.path, 'table', record.id), { object });
    if (!isManaged(record)) throw illegalArgument(`Table ${formatIdentifier(id.namespace, id.name)} does not have catalog-managed versions (managed_versioning is false): its dataset manages them`);
    if (branch !== MAIN_BRANCH && !creating && (await this.ctx.store.lanceVersions.head(record.id, branch)) === undefined) {
      throw new CatalogError('ERR_BRANCH_NOT_FOUND', `Table ${formatIdentifier(id.namespace, id.name)} has no branch ${JSON.stringify(branch)} in the catalog`);
    }
    return { id, record, branch };
  }
}

/**
 * A page of versions. Its token is the last version listed (`v<number>`), not a sealed token as name listings have
 * (catalog/paging.ts): a version number tells the caller nothing it may not read, and sealing cost about a third of
 * ListTableVersions(limit=1), which Lance calls before every commit and on every open.
 */
function versionPage(paging: PageRequest): { limit: number; after: number | undefined } {
  const limit = paging.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw validation(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  if (paging.pageToken === undefined || paging.pageToken === '') return { limit, after: undefined };
  const m = /^v(\d{1,15})$/.exec(paging.pageToken);
  if (!m) throw validation('page_token is not valid: pass the page_token of the previous page as it was');
  return { limit, after: Number(m[1]) };
}

function refuse(refusal: AppendRefusal | undefined, version: number, table: string): void {
  if (refusal?.kind === 'taken') throw commitConflict(`Version ${version} of table ${table} already exists`);
  if (refusal?.kind === 'skips') throw illegalArgument(`Version ${version} of table ${table} skips a version: the latest is ${refusal.latest}, so the next is ${refusal.latest + 1}`);
}

const info = (r: LanceVersionRecord, form: PathForm): LanceVersionInfo => ({
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

/**
 * The one rule for a branch name: absent, "" or "main" is the main branch; another is path segments of letters, digits,
 * '.', '_' and '-' joined by '/' (Lance keeps a branch under <table>/tree/<branch>/), at most 200 characters, no '.' or
 * '..' segment.
 */
function checkBranch(value: unknown): string {
  if (value === undefined || value === null || value === '' || value === 'main') return MAIN_BRANCH;
  if (typeof value !== 'string' || value.length > 200 || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value) || value.split('/').some((s) => s === '.' || s === '..')) {
    throw validation('branch must be path segments of letters, digits, ".", "_" and "-" joined by "/" (at most 200 characters)');
  }
  return value;
}

/** Where a branch's dataset lives: the table's location for main, <location>/tree/<branch> for another (as Lance writes it). */
function branchRoot(location: string, branch: string): string {
  return branch === MAIN_BRANCH ? location : `${location.replace(/\/+$/, '')}/tree/${branch}`;
}

function checkRanges(value: unknown): { start: number; end: number | undefined }[] {
  if (!Array.isArray(value)) throw validation('ranges must be an array');
  return value.map((r: unknown, i) => {
    const range = (r ?? {}) as { start_version?: unknown; end_version?: unknown };
    const start = checkVersion(range.start_version, `ranges[${i}].start_version`);
    if (range.end_version === -1) return { start, end: undefined };
    const end = checkVersion(range.end_version, `ranges[${i}].end_version`);
    if (end < start) throw validation(`ranges[${i}]: end_version is below start_version`);
    return { start, end };
  });
}

/** A range minus one version. */
function splitAround(r: { start: number; end: number | undefined }, keep: number): { start: number; end: number | undefined }[] {
  if (keep < r.start || (r.end !== undefined && keep >= r.end)) return [r];
  return [{ start: r.start, end: keep }, ...(r.end === undefined || r.end > keep + 1 ? [{ start: keep + 1, end: r.end }] : [])];
}
