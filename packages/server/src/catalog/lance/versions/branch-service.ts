/**
 * Branches of Lance tables with catalog-managed versions (lance-namespace 0.13: ListTableBranches, DeleteTableBranch).
 * A branch is created by the Lance client (`create_branch`): it writes the branch's first manifest under
 * <table>/tree/<branch>/ and its ref `_refs/branches/<branch>.json`, and commits that version through CreateTableVersion
 * with `branch`, which starts the branch's chain in the catalog (version-service.ts). So the catalog lists the chains it
 * holds, with the parent Lance wrote in the ref file; CreateTableBranch, which would need the catalog to write a Lance
 * branch manifest itself, answers Unsupported (docs/compatibility.md). Deleting a branch forgets its versions and removes
 * its ref; the branch's files under tree/<branch>/ stay for Lance's cleanup, as BatchDeleteTableVersions leaves manifests.
 * Framework-free: no HTTP, no SQL.
 *
 * Privileges: listing needs `table:read-metadata`, deleting `table:write-data` (it discards the branch's commits); a
 * deletion is audited and recorded as a `lance-table.branch-deleted` change in the transaction that forgets the chain.
 */
import { CatalogError, validation } from '../../../errors/catalog-error.js';
import { describeObject } from '../../access/access-service.js';
import type { CatalogRequest } from '../../context.js';
import { formatIdentifier } from '../../identifiers.js';
import { changeEvent } from '../../outbox/changes.js';
import { MAX_PAGE_SIZE, type PageRequest } from '../../paging.js';
import type { TableContext } from '../../kit/table-kit.js';
import { checkBranch } from './checks.js';
import { requireManagedTable } from './managed-table.js';
import { lanceStorage } from './manifest-paths.js';
import { MAIN_BRANCH } from '../../ports/lance-versions.js';

/** A branch as ListTableBranches shows it (BranchContents). */
export interface LanceBranchInfo {
  parentBranch?: string;
  parentVersion: number;
  /** Seconds since the epoch. */
  createAt: number;
  manifestSize: number;
  metadata: Record<string, string>;
}

/** The largest ref file read (a few hundred bytes in practice). */
const MAX_REF_BYTES = 64 * 1024;

export class LanceBranchService {
  constructor(private readonly ctx: TableContext) {}

  async list(
    request: CatalogRequest,
    idInput: unknown,
    paging: PageRequest,
  ): Promise<{ branches: Record<string, LanceBranchInfo>; nextPageToken: string | undefined }> {
    // validate
    const limit = paging.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw validation(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    const after = paging.pageToken === undefined || paging.pageToken === '' ? undefined : checkBranch(paging.pageToken);
    const scope = await this.ctx.scope(request);
    // authorize
    const { record } = await requireManagedTable(this.ctx, scope, idInput, ['table:read-metadata'], undefined);
    // execute
    const all = (await this.ctx.store.lanceVersions.branches(record.id)).filter((b) => after === undefined || b.branch > after);
    const page = all.slice(0, limit);
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    const root = record.location.replace(/\/+$/, '');
    const entries = await Promise.all(
      page.map(async ({ branch, head }) => {
        const [first] = await this.ctx.store.lanceVersions.list(record.id, branch, { descending: false, limit: 1 });
        const latest = await this.ctx.store.lanceVersions.get(record.id, branch, head);
        const ref = await readRef(storage, `${root}/_refs/branches/${branch}.json`);
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
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    await storage.delete(`${record.location.replace(/\/+$/, '')}/_refs/branches/${branch}.json`).catch(() => undefined);
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

async function readRef(storage: ReturnType<typeof lanceStorage>, uri: string): Promise<Record<string, unknown> | undefined> {
  try {
    if (!(await storage.exists(uri))) return undefined;
    const parsed = JSON.parse(Buffer.from(await storage.read(uri, MAX_REF_BYTES)).toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
