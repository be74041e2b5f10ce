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
import { CatalogError, validation } from '../../../errors/catalog-error.js';
import { describeObject } from '../../access/access-service.js';
import type { Privilege } from '../../privileges.js';
import type { CatalogRequest, RequestScope } from '../../context.js';
import { formatIdentifier } from '../../identifiers.js';
import { MAX_PAGE_SIZE, type PageRequest } from '../../paging.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import type { LanceTableId } from '../table-id.js';
import { checkVersion } from './checks.js';
import { lanceStorage } from './manifest-paths.js';
import { branchRoot, type CreateVersionInput, checkVersionInput, info, type LanceVersionInfo, placeManifest, readStaged, refuse } from './staged-version.js';
import { type LanceVersionRecord, MAIN_BRANCH } from '../../ports/lance-versions.js';
import { restoreVersion } from './restore.js';
import { requireManagedTable } from './managed-table.js';
import { changeEvent } from '../../outbox/changes.js';
import { LanceCommitQueue } from '../../lance-commit-queue.js';

export { type CreateVersionInput, type LanceVersionInfo } from './staged-version.js';

export class LanceVersionService {
  constructor(private readonly ctx: TableContext) {}

  async create(request: CatalogRequest, idInput: unknown, input: CreateVersionInput): Promise<LanceVersionInfo> {
    // validate
    const checked = checkVersionInput(input);
    const scope = await this.ctx.scope(request);
    // authorize
    // A branch's first version creates it in the catalog (Lance writes it under tree/<branch>/ when it branches).
    const target = await this.requireManaged(scope, idInput, ['table:write-data'], input.branch, true);
    // execute
    const { id, record } = target;
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    // In the table's queue of commits; a lost race of optimize's raises its fence there (lance-commit-queue.ts).
    const queue = this.ctx.lanceCommits;
    const key = LanceCommitQueue.key(record.id, target.branch);
    let staged: Awaited<ReturnType<typeof readStaged>>;
    try {
      staged = await readStaged(this.ctx, scope, storage, target, checked);
      const { entry } = staged;
      const change = changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
        kind: 'lance-table.version-created',
        namespace: id.namespace,
        name: id.name,
        uuid: record.uuid,
        data: { version: entry.version, 'manifest-path': entry.manifestUri, 'manifest-size': entry.manifestSize },
      });
      const append = () => this.ctx.store.lanceVersions.append(entry, () => placeManifest(storage, staged), [change]);
      refuse(await (queue === undefined ? append() : queue.commit([key], scope.caller, append)), entry.version, staged.table);
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_COMMIT_CONFLICT') await queue?.lost(key, scope.caller);
      throw e;
    }
    queue?.landed(key, scope.caller);
    const { entry } = staged;
    await storage.delete(staged.stagedUri).catch(() => undefined);
    await this.ctx.access.record(
      scope.caller,
      'lance.version.created',
      'allow',
      'table:write-data',
      describeObject(scope.warehouse.name, id.namespace, id.name),
      { version: entry.version, manifest: entry.manifestUri },
    );
    return info(entry, staged.form);
  }

  async list(
    request: CatalogRequest,
    idInput: unknown,
    input: { paging: PageRequest; descending?: boolean | undefined; branch?: unknown },
  ): Promise<{ versions: LanceVersionInfo[]; nextPageToken: string | null }> {
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
      await this.ctx.access.record(
        scope.caller,
        'lance.versions.deleted',
        'allow',
        'table:write-data',
        describeObject(scope.warehouse.name, id.namespace, id.name),
        { ranges, deleted },
      );
    }
    return deleted;
  }

  /**
   * RestoreTable: the table's next version gets the state of `version` (restore.ts). A restore writes the table's
   * state, so it needs `table:write-data`, and is audited with its caller like a created version.
   */
  async restore(
    request: CatalogRequest,
    idInput: unknown,
    input: { version?: unknown; branch?: unknown },
  ): Promise<{ version: LanceVersionInfo; transactionId: string }> {
    // validate
    const version = checkVersion(input.version, 'version');
    const scope = await this.ctx.scope(request);
    // authorize
    const { id, record, branch } = await this.requireManaged(scope, idInput, ['table:write-data'], input.branch);
    // execute
    const { restored, transactionId } = await restoreVersion(this.ctx, scope, id, record, version, branch, branchRoot(record.location, branch));
    await this.ctx.access.record(
      scope.caller,
      'lance.version.restored',
      'allow',
      'table:write-data',
      describeObject(scope.warehouse.name, id.namespace, id.name),
      {
        version: restored.version,
        restoredFrom: version,
        manifest: restored.manifestUri,
      },
    );
    return { version: info(restored, 'path'), transactionId };
  }

  /** For DescribeTable with `version`: the version must exist. Authorization is the caller's (DescribeTable's). */
  async requireVersion(record: CatalogObjectRecord, id: LanceTableId, version: number): Promise<LanceVersionRecord> {
    return this.require(record, id, version, MAIN_BRANCH);
  }

  private async require(record: CatalogObjectRecord, id: LanceTableId, version: number | undefined, branch: string): Promise<LanceVersionRecord> {
    const found =
      version === undefined
        ? (await this.ctx.store.lanceVersions.list(record.id, branch, { descending: true, limit: 1 }))[0]
        : await this.ctx.store.lanceVersions.get(record.id, branch, version);
    if (!found)
      throw new CatalogError(
        'ERR_TABLE_VERSION_NOT_FOUND',
        `Table ${formatIdentifier(id.namespace, id.name)} has no version ${version ?? '(none committed yet)'}`,
      );
    return found;
  }

  private requireManaged(
    scope: RequestScope,
    idInput: unknown,
    privileges: Privilege[],
    branchInput: unknown,
    creating = false,
  ): ReturnType<typeof requireManagedTable> {
    return requireManagedTable(this.ctx, scope, idInput, privileges, branchInput, creating);
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
