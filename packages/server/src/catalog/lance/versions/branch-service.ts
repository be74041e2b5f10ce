/**
 * Branches of Lance tables with catalog-managed versions (lance-namespace 0.13: ListTableBranches, CreateTableBranch,
 * DeleteTableBranch). A branch is created by Lance (`create_branch`): it writes the branch's first manifest under
 * <table>/tree/<branch>/ and its ref `_refs/branches/<branch, percent-encoded>.json`, and commits that version through CreateTableVersion
 * with `branch`, which starts the branch's chain in the catalog (version-service.ts). A client's Lance does it itself;
 * CreateTableBranch has the catalog's own do it (the LanceBranchCreator port: in tree LanceDB's `branches().create` on
 * the private loopback namespace, acting for the caller, as UpdateFieldMetadata). So the catalog lists the chains it
 * holds, with the parent Lance wrote in the ref file. Deleting a branch forgets its versions and removes its ref and
 * its files under tree/<branch>/, as Lance's delete_branch does, and is refused (409) while another branch was created
 * from it (branch-files.ts).
 * Framework-free: no HTTP, no SQL.
 *
 * Privileges: listing needs `table:read-metadata`; creating and deleting `table:write-data` (a new version of the
 * table; discarding the branch's commits). Both are audited (`lance.branch.created` beside the first version's own
 * `lance.version.created` and change event; `lance.branch.deleted` with a `lance-table.branch-deleted` change recorded in
 * the transaction that forgets the chain).
 */
import { CatalogError, illegalArgument, validation } from '../../../errors/catalog-error.js';
import { describeObject } from '../../access/access-service.js';
import type { CatalogRequest } from '../../context.js';
import { formatIdentifier } from '../../identifiers.js';
import { changeEvent } from '../../outbox/changes.js';
import { MAX_PAGE_SIZE, type PageRequest } from '../../paging.js';
import type { TableContext } from '../../kit/table-kit.js';
import { checkBranch, checkPageToken, checkVersion } from './checks.js';
import { requireManagedTable } from './managed-table.js';
import { childBranches, readBranchRef, removeBranchFiles } from './branch-files.js';
import { MAIN_BRANCH } from '../../ports/lance-versions.js';
import type { LanceBranchCreator } from '../../ports/lance-writer.js';
import { lanceLibraryMissing } from '../library.js';
import { KeyedMutex } from '../../keyed-mutex.js';

/** A branch as ListTableBranches shows it (BranchContents). */
export interface LanceBranchInfo {
  parentBranch?: string;
  parentVersion: number;
  /** Seconds since the epoch. */
  createAt: number;
  manifestSize: number;
  metadata: Record<string, string>;
}

export class LanceBranchService {
  private creator: LanceBranchCreator | undefined;
  /** Creations of one table's branch name in this process, one at a time (Coherence orders the server's processes). */
  private readonly creating = new KeyedMutex();

  constructor(private readonly ctx: TableContext) {}

  /** Attached where the server is composed (compose/lance-optimizer.ts); without one, CreateTableBranch is a 406. */
  useCreator(creator: LanceBranchCreator | undefined): void {
    this.creator = creator;
  }

  /**
   * CreateTableBranch: branch `name` from `from_version` (its latest when absent) of `from_branch` (main when absent).
   * Validate → authorize → execute: the names and the version (400), the caller's `table:write-data` on a table whose
   * versions the catalog manages, the source branch (404 code 22) and version (404 code 11) the catalog holds, the new
   * branch not there yet (409 code 23), the library (406 without it); then Lance creates it, committing its first
   * version through CreateTableVersion for the caller.
   */
  async create(
    request: CatalogRequest,
    idInput: unknown,
    input: { name?: unknown; from_branch?: unknown; from_version?: unknown },
  ): Promise<{ version: number }> {
    // validate
    if (typeof input.name !== 'string' || input.name.length === 0) throw validation('name is required');
    const branch = checkBranch(input.name);
    if (branch === MAIN_BRANCH) throw validation('the main branch exists already: name another');
    const fromBranch = checkBranch(input.from_branch);
    const fromVersion = input.from_version === undefined || input.from_version === null ? undefined : checkVersion(input.from_version, 'from_version');
    const scope = await this.ctx.scope(request);
    // authorize (the source branch must exist: requireManagedTable answers 404 code 22 otherwise)
    const found = await requireManagedTable(this.ctx, scope, idInput, ['table:write-data'], fromBranch);
    const { id, record } = found;
    const table = formatIdentifier(id.namespace, id.name);
    const head = found.head ?? (await this.ctx.store.lanceVersions.head(record.id, fromBranch));
    if (head === undefined) throw illegalArgument(`Table ${table} has no version yet: a branch starts from one`);
    const version = fromVersion ?? head;
    if (fromVersion !== undefined && (await this.ctx.store.lanceVersions.get(record.id, fromBranch, fromVersion)) === undefined) {
      throw new CatalogError(
        'ERR_TABLE_VERSION_NOT_FOUND',
        `Table ${table} has no version ${fromVersion} on ${fromBranch === MAIN_BRANCH ? 'main' : `branch ${JSON.stringify(fromBranch)}`}`,
      );
    }
    const taken = () => new CatalogError('ERR_BRANCH_EXISTS', `Table ${table} has a branch ${JSON.stringify(branch)} already`);
    const creator = this.creator;
    if (creator === undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing('CreateTableBranch'));
    const missing = await creator.unavailable();
    if (missing !== undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', missing);
    // execute: one creation of a name at a time among this server's processes, so two of them do not both write the
    // ref; a creation that lost to another (another replica's, or a client's own Lance) is the name being taken.
    const key = [`lance-branch-create\u0000${record.id}\u0000${branch}`];
    const created = await this.creating.runExclusive(key, () =>
      this.ctx.coherence.runExclusive(key, async () => {
        if ((await this.ctx.store.lanceVersions.head(record.id, branch)) !== undefined) throw taken();
        try {
          return await creator.create(
            { warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, branch, committer: scope.caller },
            { branch: fromBranch, version },
          );
        } catch (e) {
          if (!(e instanceof CatalogError && e.code === 'ERR_BRANCH_EXISTS') && (await this.ctx.store.lanceVersions.head(record.id, branch)) !== undefined)
            throw taken();
          throw e;
        }
      }),
    );
    await this.ctx.access.record(
      scope.caller,
      'lance.branch.created',
      'allow',
      'table:write-data',
      describeObject(scope.warehouse.name, id.namespace, id.name),
      { branch, 'from-branch': fromBranch, 'from-version': String(version), version: String(created.version) },
    );
    return created;
  }

  async list(
    request: CatalogRequest,
    idInput: unknown,
    paging: PageRequest,
  ): Promise<{ branches: Record<string, LanceBranchInfo>; nextPageToken: string | undefined }> {
    // validate
    const limit = paging.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw validation(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    const after = checkPageToken(paging.pageToken, checkBranch, 'branch');
    const scope = await this.ctx.scope(request);
    // authorize
    const { record } = await requireManagedTable(this.ctx, scope, idInput, ['table:read-metadata'], undefined);
    // execute
    const all = (await this.ctx.store.lanceVersions.branches(record.id)).filter((b) => after === undefined || b.branch > after);
    const page = all.slice(0, limit);
    const storage = await this.ctx.storageFor(scope.warehouse);
    const entries = await Promise.all(
      page.map(async ({ branch, head }) => {
        const [first] = await this.ctx.store.lanceVersions.list(record.id, branch, { descending: false, limit: 1 });
        const latest = await this.ctx.store.lanceVersions.get(record.id, branch, head);
        const ref = await readBranchRef(storage, record.location, branch);
        // Without Lance's ref file (removed by hand), the chain itself says what it can: it starts at its first version.
        const info: LanceBranchInfo = {
          ...(typeof ref?.parentBranch === 'string' && ref.parentBranch !== '' ? { parentBranch: ref.parentBranch } : {}),
          parentVersion: count(ref?.parentVersion) ?? Math.max((first?.version ?? 1) - 1, 0),
          createAt: count(ref?.createAt) ?? Math.floor((first?.timestampMs ?? 0) / 1000),
          manifestSize: latest?.manifestSize ?? count(ref?.manifestSize) ?? 0,
          metadata: stringMap(ref?.metadata),
        };
        return [branch, info] as const;
      }),
    );
    return { branches: Object.fromEntries(entries), nextPageToken: all.length > limit ? page.at(-1)!.branch : undefined };
  }

  async delete(request: CatalogRequest, idInput: unknown, nameInput: unknown): Promise<void> {
    // validate
    if (typeof nameInput !== 'string' || nameInput.length === 0) throw validation('name is required');
    const branch = checkBranch(nameInput);
    if (branch === MAIN_BRANCH) throw validation('the main branch cannot be deleted');
    const scope = await this.ctx.scope(request);
    // authorize
    const { id, record } = await requireManagedTable(this.ctx, scope, idInput, ['table:write-data'], branch);
    // execute
    const table = formatIdentifier(id.namespace, id.name);
    const storage = await this.ctx.storageFor(scope.warehouse);
    const others = (await this.ctx.store.lanceVersions.branches(record.id)).map((b) => b.branch).filter((b) => b !== branch);
    const children = await childBranches(storage, record.location, branch, others);
    if (children.length > 0) {
      throw new CatalogError(
        'ERR_COMMIT_CONFLICT',
        `Branch ${JSON.stringify(branch)} of table ${table} is the parent of ${children.map((c) => JSON.stringify(c)).join(', ')}, whose versions read its files: delete ${children.length === 1 ? 'that branch' : 'those branches'} first`,
      );
    }
    const head = await this.ctx.store.lanceVersions.head(record.id, branch);
    const change = changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
      kind: 'lance-table.branch-deleted',
      namespace: id.namespace,
      name: id.name,
      uuid: record.uuid,
      data: { branch, head },
    });
    if (!(await this.ctx.store.lanceVersions.deleteBranch(record.id, branch, [change]))) {
      throw new CatalogError('ERR_BRANCH_NOT_FOUND', `Table ${table} has no branch ${JSON.stringify(branch)} in the catalog`);
    }
    await removeBranchFiles(storage, record.location, branch, others);
    await this.ctx.access.record(
      scope.caller,
      'lance.branch.deleted',
      'allow',
      'table:write-data',
      describeObject(scope.warehouse.name, id.namespace, id.name),
      { branch },
    );
  }
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
