/**
 * The objects Lance keeps for a branch of a table, as the branch operations read and remove them: its ref
 * (`_refs/branches/<name, percent-encoded>.json`: the parent it was created from) and its tree (`tree/<name>/`: its
 * manifests, transactions and the data written on it). Lance's own delete_branch removes both, and refuses while
 * another branch was created from it (that branch's versions read the parent's files); DeleteTableBranch does the same,
 * so a deleted branch's name can be created again and no branch loses files it reads. Framework-free: no HTTP, no SQL.
 */
import type { ObjectStorage } from '../../ports/index.js';
import { branchRefUri, lanceObjectUri, lanceStorage } from './manifest-paths.js';

/** The largest ref file read (a few hundred bytes in practice). */
const MAX_REF_BYTES = 64 * 1024;

/** A branch's ref as Lance wrote it, or undefined when there is none (removed by hand) or it does not parse. */
export async function readBranchRef(storage: ObjectStorage, location: string, branch: string): Promise<Record<string, unknown> | undefined> {
  const lance = lanceStorage(storage);
  const uri = branchRefUri(location, branch);
  try {
    if (!(await lance.exists(uri))) return undefined;
    const parsed = JSON.parse(Buffer.from(await lance.read(uri, MAX_REF_BYTES)).toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The branches among `others` that Lance created from `branch` (their ref names it as parent). */
export async function childBranches(storage: ObjectStorage, location: string, branch: string, others: readonly string[]): Promise<string[]> {
  const refs = await Promise.all(others.map(async (other) => [other, await readBranchRef(storage, location, other)] as const));
  return refs.filter(([, ref]) => ref?.parentBranch === branch).map(([other]) => other);
}

/**
 * Removes a deleted branch's ref and tree, as Lance's delete_branch does. `held` are the table's other branches: one
 * nested under this one's name (`team` holds `team/x`'s tree under its own) keeps its files. Best effort, after the
 * catalog forgot the branch: what fails is left for the orphan-file removal. Where the store cannot list (GCS, Azure)
 * and a nested branch is held, the tree stays.
 */
export async function removeBranchFiles(storage: ObjectStorage, location: string, branch: string, held: readonly string[]): Promise<void> {
  const root = location.replace(/\/+$/, '');
  await lanceStorage(storage)
    .delete(branchRefUri(root, branch))
    .catch(() => undefined);
  const tree = lanceObjectUri(`${root}/tree/${branch}/`);
  const keep = held.filter((b) => b.startsWith(`${branch}/`)).map((b) => lanceObjectUri(`${root}/tree/${b}/`));
  try {
    if (keep.length === 0) {
      await storage.deletePrefix(tree);
      return;
    }
    if (storage.list === undefined) return;
    const doomed: string[] = [];
    for await (const object of storage.list(tree)) if (!keep.some((k) => object.uri.startsWith(k))) doomed.push(object.uri);
    await storage.deleteMany(doomed);
  } catch {
    // Left for the orphan-file removal, as documented.
  }
}
