/**
 * Removal of superseded policy-derived Lance datasets (catalog/lance/policy-reads.ts), run by the catalog's own
 * maintenance of a Lance table (its `optimize` job, on demand or scheduled: maintenance/lance-optimize.ts).
 *
 * A derived dataset `<table>/_lakegate/policy/<policy version>/<stem>-<uuid>.lance` (stem: main's `lance-v<N>`, a
 * branch's `lance-b<its name in hex>-v<N>`), named by its side file `<stem>.json`, is **live** while N is its
 * branch's latest version and the policies its side file records (ids and versions) are still what some combination
 * of roles gets (policiesStillApply); a side file that records no policies (written before they were recorded) counts
 * as current. A dataset is **superseded** once a newer version of its branch exists (or the branch was deleted), one
 * of its policies changed or went, or a policy was added for its roles: no new DescribeTable answers it (short of an
 * explicit DescribeTable of that old version, which derives it again once it is gone).
 *
 * Grace: a reader answered a superseded dataset may still hold it open. So the first job that finds it superseded
 * only marks it (`<stem>.superseded`, written once), and a job deletes it once that mark is older than the grace
 * period (`graceMs`: by default the orphan safety age, 3 days; on demand `orphan-older-than-ms`; with 0, at once,
 * unmarked). Deletion takes the side file and its mark first (no new read finds the dataset), then the dataset's objects. A dataset no side file
 * names (a derivation that lost its race, or crashed before recording it) is deleted once all its objects are older
 * than the grace period and an hour at least (UNNAMED_MIN_AGE_MS): a derivation running now has fresh objects and is
 * left alone, whatever the grace. Nothing else under the prefix
 * is touched, and only what the store says it deleted is reported deleted (maintenance/delete-files.ts).
 */
import { parseJson } from '../json.js';
import { normalizeLocation } from '../locations.js';
import type { ObjectStorage, StoredObject } from '../object-storage.js';
import type { Policy } from '../ports/policies.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import { type DeleteOutcome, deleteFiles } from './delete-files.js';
import type { JobProgress } from './progress.js';
import type { DeletableFile } from './reachable-files.js';

/** What a side file records besides the dataset's name (policy-reads.ts writes it). */
export interface LanceSideFile {
  dataset: string;
  version: number;
  /** The branch it was derived from; absent: main. */
  branch?: string;
  rows?: number;
  /** The policies the dataset applies, each with its version. */
  policies?: { id: string; version: number }[];
}

export interface DerivedCleanup {
  /** Superseded datasets kept by this run, within their grace period (marked, for a later run to delete). */
  superseded: number;
  /** Datasets whose objects were all deleted this run. */
  removed: number;
  outcome: DeleteOutcome;
}

const SIDE_MAX_BYTES = 64 * 1024;
/** The least age of a dataset no side file names before it is deleted (an hour: far beyond any derivation's length). */
export const UNNAMED_MIN_AGE_MS = 3_600_000;
/** `<policy version>/<stem>`: main's stem `lance-v<N>`, a branch's `lance-b<its name's UTF-8 in hex>-v<N>` (policy-reads.ts derivedStem). */
const SIDE = /^([A-Za-z0-9_-]+\/lance-(?:b[0-9a-f]+-)?v\d+)\.json$/;
const MARK = /^([A-Za-z0-9_-]+\/lance-(?:b[0-9a-f]+-)?v\d+)\.superseded$/;
const DATASET = /^([A-Za-z0-9_-]+\/lance-(?:b[0-9a-f]+-)?v\d+-[0-9a-f-]+)\.lance\//;
const STEM = /\/lance-(?:b([0-9a-f]+)-)?v(\d+)$/;

/** The branch (MAIN_BRANCH for main) and version a side file's key names. */
function stemOf(key: string): { branch: string; version: number } {
  const m = STEM.exec(key)!;
  return { branch: m[1] === undefined ? MAIN_BRANCH : Buffer.from(m[1], 'hex').toString('utf8'), version: Number(m[2]) };
}

/**
 * Whether the dataset's policies (recorded in its side file) are still what some combination of roles gets: each
 * unchanged, and each binding a role no other policy of the table binds now (such roles, held together, get exactly
 * these policies). A policy added for the roles, or one changed or gone, supersedes it: its readers have another
 * policy version now. A side file that records no policies (written before they were recorded) counts as current.
 */
export function policiesStillApply(side: LanceSideFile, policies: readonly Policy[], held?: ReadonlySet<string>): boolean {
  if (side.policies === undefined) return true;
  const now = new Map(policies.map((p) => [p.id, p]));
  if (!side.policies.every((p) => now.get(p.id)?.version === p.version)) return false;
  const recorded = new Set(side.policies.map((p) => p.id));
  const others = new Set(policies.filter((p) => !recorded.has(p.id)).flatMap((p) => p.roles));
  return side.policies.every((p) => now.get(p.id)!.roles.some((r) => !others.has(r) && (held === undefined || held.has(r))));
}

/**
 * The roles the policies bind that someone holds in the stored assignments (a principal, user or group: any member at
 * all), or undefined when the holders are not known here (every role then counts as held).
 */
export async function heldRoles(
  holders: ((tenant: string, role: string) => Promise<readonly { tenant: string }[]>) | undefined,
  tenant: string,
  policies: readonly Policy[],
): Promise<ReadonlySet<string> | undefined> {
  if (holders === undefined) return undefined;
  const held = new Set<string>();
  for (const role of new Set(policies.flatMap((p) => p.roles))) if ((await holders(tenant, role)).length > 0) held.add(role);
  return held;
}

export async function removeSupersededDerived(
  storage: ObjectStorage,
  tableLocation: string,
  /** The latest version of each branch the table has, main (MAIN_BRANCH) included. */
  latest: ReadonlyMap<string, number>,
  policies: readonly Policy[],
  nowMs: number,
  graceMs: number,
  progress: JobProgress,
  signal?: AbortSignal,
  /** Leave every branch's datasets alone (a table whose dataset manages its versions: the catalog knows no branch of it). */
  keepBranches = false,
  /** The roles someone holds (heldRoles); undefined: every role counts as held. */
  held?: ReadonlySet<string>,
): Promise<DerivedCleanup> {
  const outcome: DeleteOutcome = { deleted: [], missing: [], failed: [] };
  if (!storage.list) return { superseded: 0, removed: 0, outcome };
  const root = `${tableLocation.replace(/\/+$/, '')}/_lakegate/policy/`;
  const sides = new Map<string, StoredObject>();
  const marks = new Map<string, StoredObject>();
  const datasets = new Map<string, StoredObject[]>();
  for await (const o of storage.list(root)) {
    const rest = o.uri.slice(root.length);
    let m: RegExpExecArray | null;
    if ((m = SIDE.exec(rest)) !== null) sides.set(m[1]!, o);
    else if ((m = MARK.exec(rest)) !== null) marks.set(m[1]!, o);
    else if ((m = DATASET.exec(rest)) !== null) datasets.set(m[1]!, [...(datasets.get(m[1]!) ?? []), o]);
  }
  const before = nowMs - graceMs;
  const named = new Set<string>();
  const gone: DeletableFile[] = [];
  const goneDatasets: string[] = [];
  let kept = 0;
  for (const [key, side] of sides) {
    const pv = key.slice(0, key.indexOf('/'));
    let recorded: LanceSideFile | undefined;
    try {
      recorded = parseJson(new TextDecoder().decode(await storage.read(side.uri, SIDE_MAX_BYTES))) as LanceSideFile;
    } catch {
      recorded = undefined;
    }
    // An unreadable side file is left as it is (and the dataset it may name with it): nothing is deleted on a guess.
    if (recorded === undefined || typeof recorded.dataset !== 'string') {
      for (const d of datasets.keys()) if (d.startsWith(`${key}-`)) named.add(d);
      continue;
    }
    const dataset = `${pv}/${recorded.dataset}`;
    named.add(dataset);
    // Live: the latest version of its branch (one deleted has none), its policies what some roles get.
    const { branch, version } = stemOf(key);
    if (keepBranches && branch !== MAIN_BRANCH) continue;
    const mark = marks.get(key);
    if (version === recorded.version && latest.get(branch) === version && policiesStillApply(recorded, policies, held)) {
      // Live again (a member regained its roles' combination): its grace starts over if it is ever superseded again.
      if (mark !== undefined) await storage.delete(mark.uri);
      continue;
    }
    if (graceMs > 0 && (mark === undefined || mark.lastModifiedMs > before)) {
      if (mark === undefined) {
        try {
          await storage.writeNew(`${root}${key}.superseded`, new TextEncoder().encode(`superseded, seen at ${new Date(nowMs).toISOString()}\n`));
        } catch {
          // Marked by a job running beside this one: the grace counts from its mark.
        }
      }
      kept += 1;
      continue;
    }
    gone.push({ path: side.uri, kind: 'orphan', bytes: side.bytes });
    if (mark !== undefined) gone.push({ path: mark.uri, kind: 'orphan', bytes: mark.bytes });
    goneDatasets.push(dataset);
  }
  // Datasets no side file names: a lost race's copy or a crashed derivation, once all of it is older than the grace,
  // and than UNNAMED_MIN_AGE_MS whatever the grace: a derivation running now (a read's, the background preparation's)
  // has no side file yet, and deleting its files would leave its side file naming a broken dataset.
  const unnamedBefore = nowMs - Math.max(graceMs, UNNAMED_MIN_AGE_MS);
  for (const [key, objects] of datasets) {
    if (named.has(key) || objects.some((o) => o.lastModifiedMs > unnamedBefore)) continue;
    goneDatasets.push(key);
  }
  // Marks whose side file is gone (a deletion interrupted between the two), once old.
  for (const [key, mark] of marks) if (!sides.has(key) && mark.lastModifiedMs <= before) gone.push({ path: mark.uri, kind: 'orphan', bytes: mark.bytes });
  const merge = (o: DeleteOutcome) => {
    outcome.deleted.push(...o.deleted);
    outcome.missing.push(...o.missing);
    outcome.failed.push(...o.failed);
  };
  // Side files and marks first: once they are gone no new read is answered the dataset.
  if (gone.length > 0) merge(await deleteFiles(storage, gone, progress, { location: root, signal }));
  const objects = goneDatasets.flatMap((d) => (datasets.get(d) ?? []).map((o): DeletableFile => ({ path: o.uri, kind: 'orphan', bytes: o.bytes })));
  if (objects.length > 0) merge(await deleteFiles(storage, objects, progress, { listed: true, signal }));
  const deleted = new Set(outcome.deleted.map((f) => key(f.path)));
  const removed = goneDatasets.filter((d) => (datasets.get(d) ?? []).every((o) => deleted.has(key(o.uri)))).length;
  return { superseded: kept, removed, outcome };
}

function key(uri: string): string {
  try {
    return normalizeLocation(uri);
  } catch {
    return uri;
  }
}
