/**
 * What DescribeTable resolves besides the location (lance-namespace 0.13): the version asked for, directly, on a
 * branch or through a tag, and whether the table is only declared (`check_declared`). A tag is read where Lance keeps
 * it, `<location>/_refs/tags/<tag>.json` (`{"branch": …, "version": …}`), since tags are created by the client on the
 * dataset; a managed table's version must then also be in the catalog, a registered dataset's (its versions its own)
 * in its own `_versions/`. Framework-free: no HTTP, no SQL.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { TableContext } from '../kit/table-kit.js';
import type { LanceTableId } from './table-id.js';
import { checkBranch, checkTag, checkVersion } from './versions/checks.js';
import { finalManifestUri, lanceStorage } from './versions/manifest-paths.js';
import { branchRoot } from './versions/staged-version.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';

export interface DescribeRefInput {
  version?: unknown;
  branch?: unknown;
  tag?: unknown;
  checkDeclared?: unknown;
}

export interface DescribedRef {
  version?: number;
  /** The branch described: the one asked for, or the tag's. */
  branch: string;
  /** Set when check_declared was asked: true while a declared table has no version on storage. */
  isOnlyDeclared?: boolean;
}

/** The largest tag file read (a few hundred bytes in practice). */
const MAX_TAG_BYTES = 64 * 1024;

/** Checks the shape of the input before authorization (a bad name is a 400 whatever the caller may see). */
export function checkDescribeRef(input: DescribeRefInput): { version: number | undefined; branch: string; tag: string | undefined; checkDeclared: boolean } {
  const version = input.version === undefined || input.version === null ? undefined : checkVersion(input.version, 'version');
  const branch = checkBranch(input.branch);
  const tag = checkTag(input.tag);
  if (tag !== undefined && (version !== undefined || branch !== MAIN_BRANCH)) throw validation('tag cannot be used together with version or branch');
  if (input.checkDeclared !== undefined && input.checkDeclared !== null && typeof input.checkDeclared !== 'boolean')
    throw validation('check_declared must be a boolean');
  return { version, branch, tag, checkDeclared: input.checkDeclared === true };
}

/** Resolves the checked input against the table, which the caller may read (authorized before). */
export async function resolveDescribeRef(
  ctx: TableContext,
  scope: RequestScope,
  id: LanceTableId,
  record: CatalogObjectRecord,
  managed: boolean,
  ref: ReturnType<typeof checkDescribeRef>,
): Promise<DescribedRef & { branch: string }> {
  const table = formatIdentifier(id.namespace, id.name);
  let { version, branch } = ref;
  if (ref.tag !== undefined) ({ version, branch } = await readTag(ctx, scope, record.location, ref.tag, table));
  if (managed && branch !== MAIN_BRANCH && (await ctx.store.lanceVersions.head(record.id, branch)) === undefined) {
    throw new CatalogError('ERR_BRANCH_NOT_FOUND', `Table ${table} has no branch ${JSON.stringify(branch)} in the catalog`);
  }
  // A managed table's versions are in the catalog; a dataset that manages its own (registered) keeps them in its own
  // `_versions/` (its branch's under tree/<branch>/), where its tags point: the version is looked for there.
  if (version !== undefined) {
    const held = managed
      ? (await ctx.store.lanceVersions.get(record.id, branch, version)) !== undefined
      : await datasetHas(ctx, scope, record, branch, version);
    if (!held) throw new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `Table ${table} has no version ${version}${managed ? ' in the catalog' : ''}`);
  }
  const out: DescribedRef = version !== undefined ? { version, branch } : { branch };
  if (ref.checkDeclared) out.isOnlyDeclared = await onlyDeclared(ctx, scope, record, managed);
  // The branch read (a tag's own): answered apart from the rest, which goes into the answer as it is.
  return { ...out, branch };
}

/** A managed table is only declared until its first version; another, until Lance wrote its `_versions/` (a registered one exists). */
export async function onlyDeclared(ctx: TableContext, scope: RequestScope, record: CatalogObjectRecord, managed: boolean): Promise<boolean> {
  if (managed) return (await ctx.store.lanceVersions.head(record.id, MAIN_BRANCH)) === undefined;
  if (record.locationOwned !== true) return false;
  const storage = lanceStorage(await ctx.storageFor(scope.warehouse));
  // Lance's first commit writes version 1 under either naming scheme (V1: 1.manifest; V2: u64::MAX - 1, 20 digits).
  const versions = `${record.location.replace(/\/+$/, '')}/_versions`;
  const [v1, v2] = await Promise.all([storage.exists(`${versions}/1.manifest`), storage.exists(`${versions}/18446744073709551614.manifest`)]);
  return !v1 && !v2;
}

/** Whether a dataset managing its own versions has `version` on `branch`: its manifest under either naming scheme. */
async function datasetHas(ctx: TableContext, scope: RequestScope, record: CatalogObjectRecord, branch: string, version: number): Promise<boolean> {
  const storage = lanceStorage(await ctx.storageFor(scope.warehouse));
  const chain = branchRoot(record.location.replace(/\/+$/, ''), branch);
  for (const scheme of ['V2', 'V1'] as const) if (await storage.exists(finalManifestUri(chain, version, scheme))) return true;
  return false;
}

async function readTag(ctx: TableContext, scope: RequestScope, location: string, tag: string, table: string): Promise<{ version: number; branch: string }> {
  const storage = lanceStorage(await ctx.storageFor(scope.warehouse));
  const uri = `${location.replace(/\/+$/, '')}/_refs/tags/${tag}.json`;
  const missing = () => new CatalogError('ERR_TAG_NOT_FOUND', `Table ${table} has no tag ${JSON.stringify(tag)}`);
  if (!(await storage.exists(uri))) throw missing();
  const notATag = () => new CatalogError('ERR_ILLEGAL_ARGUMENT', `The tag file of ${JSON.stringify(tag)} on table ${table} is not a Lance tag`);
  let text: string;
  try {
    text = Buffer.from(await storage.read(uri, MAX_TAG_BYTES)).toString('utf8');
  } catch {
    // Deleted by another request since it was seen (DeleteTableTag, a client's Lance): the tag is not found, as if
    // this read had come after it; a file that is there and cannot be read (too large) is no Lance tag.
    throw (await storage.exists(uri)) ? notATag() : missing();
  }
  let parsed: { version?: unknown; branch?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw notATag();
  }
  if (typeof parsed?.version !== 'number' || !Number.isSafeInteger(parsed.version) || parsed.version < 0) {
    throw new CatalogError('ERR_ILLEGAL_ARGUMENT', `The tag file of ${JSON.stringify(tag)} on table ${table} names no version`);
  }
  return { version: parsed.version, branch: checkBranch(parsed.branch) };
}
