/**
 * The version history of catalog-managed Lance tables (`managed_versioning: true`). The catalog database, not
 * the dataset's `_versions/` listing, is the commit point: a version exists once its row does, and a reader
 * learns the latest version from here. Each (table, branch) keeps a head, the highest version ever reserved,
 * which moves by compare-and-swap: two writers of the same version cannot both win, a version that skips one
 * is refused, and deleting old version rows (cleanup) never lets a number be used twice.
 */

/** The main branch: Lance sends no branch for it. */
export const MAIN_BRANCH = '';

export interface LanceVersionRecord {
  /** The catalog id of the Lance table (catalog_objects.id): a rename keeps it, a drop and create under the same name does not. */
  tableId: string;
  branch: string;
  version: number;
  /** The manifest's final location, as a full URI (s3://bucket/…/_versions/….manifest). */
  manifestUri: string;
  manifestSize: number;
  eTag?: string | undefined;
  timestampMs: number;
  /** Who created it (Caller.description: "user:alice via service:spark"). */
  createdBy: string;
  metadata: Record<string, string>;
}

/** Why append did not record the version. */
export type AppendRefusal = { kind: 'taken' } | { kind: 'skips'; latest: number };

export interface LanceVersionStore {
  /**
   * Records `record` as the next version of its (table, branch) in one database transaction: the version must be
   * the head plus one (or any version when the chain has no head yet). `write` runs inside that transaction after
   * the head moved and before the row is inserted (the manifest copy): if it throws, nothing is recorded; if the
   * version is taken or skips, `write` is not called and the refusal is returned.
   */
  append(
    record: LanceVersionRecord,
    write: () => Promise<void>,
    events?: readonly import('./outbox.js').OutboxEventInput[],
  ): Promise<AppendRefusal | undefined>;
  /**
   * Records several versions of distinct chains in one database transaction (BatchCreateTableVersions): each must be
   * its chain's next version. If any is taken or skips, nothing is recorded, `write` is not called, and the first
   * refusal is returned with the index of its record; if `write` throws, nothing is recorded.
   */
  appendMany(
    records: readonly LanceVersionRecord[],
    write: () => Promise<void>,
    events?: readonly import('./outbox.js').OutboxEventInput[],
  ): Promise<{ index: number; refusal: AppendRefusal } | undefined>;
  get(tableId: string, branch: string, version: number): Promise<LanceVersionRecord | undefined>;
  /** Versions in order, from after `after` (exclusive), at most `limit`. */
  list(tableId: string, branch: string, options: { descending: boolean; after?: number | undefined; limit: number }): Promise<LanceVersionRecord[]>;
  /** The highest version ever reserved on the chain (kept when its row is deleted), or undefined. */
  head(tableId: string, branch: string): Promise<number | undefined>;
  /** Deletes the rows in the half-open ranges [start, end); an end of undefined is open. Returns how many were deleted. */
  deleteRanges(tableId: string, branch: string, ranges: { start: number; end: number | undefined }[]): Promise<number>;
  /** The branches of a table other than main that have a head (ListTableBranches), by name. */
  branches(tableId: string): Promise<{ branch: string; head: number }[]>;
  /** Forgets a branch, its versions and its head, in one transaction with `events` (DeleteTableBranch). False when it had no head (nothing recorded). */
  deleteBranch(tableId: string, branch: string, events?: readonly import('./outbox.js').OutboxEventInput[]): Promise<boolean>;
  /** Forgets every version and head of a table (it was dropped or deregistered). */
  deleteTable(tableId: string): Promise<void>;
}
