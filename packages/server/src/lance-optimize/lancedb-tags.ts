/**
 * The LanceTagStore port (catalog/ports/lance-tags.ts) on LanceDB's `Table.tags()` (npm @lancedb/lancedb, tested with
 * 0.39.0): the tag operations of lance-namespace 0.13 on every Lance table.
 *
 * As the other LanceDB adapters do (lancedb-optimizer.ts says why), each call starts the catalog's own Lance surface
 * on a private listener (lancedb-loopback.ts) with one secret only this call holds, and LanceDB opens the table
 * through it as the caller (a job credential's caller: DescribeTable answers the table itself, never a policy-derived
 * dataset, with its location and vended storage options; a
 * registered dataset is opened where it lies, a table of catalog-managed versions through the namespace's version
 * operations). Lance then reads or writes `_refs/tags/` itself, checking the version exists on the dataset; nothing
 * here writes the dataset or the catalog's records.
 *
 * Lance's errors, as LanceDB 0.39 (Lance 12) words them: "Ref not found error: tag … does not exist", "Ref conflict
 * error: tag … already exists", "Version not found error: version main:N does not exist" (on a table of catalog-managed
 * versions "Namespace error: Table version not found: …", the loopback's own 404), "Ref is invalid: …"; each is
 * the caller's (404 code 8, 409 code 9, 404 code 11, 400), anything else goes through library-errors.ts (request 400,
 * storage or the library 503).
 *
 * Tag operations race each other: Lance lists `_refs/tags/` and then reads each file, or checks a tag exists and then
 * deletes or rewrites its file, so a tag another request deletes in between fails the operation with the object
 * store's "Not found: …/_refs/tags/<tag>.json" (storage words, a 503 by library-errors.ts). Such a failure is a lost
 * race, not an outage: the operation is run again on a fresh read (at most RACE_ATTEMPTS times), where the tag is
 * either there or cleanly absent (Lance's own "Ref not found", a 404 code 8); a delete or update still losing after the
 * last attempt is answered that 404 as well, since the tag it named is gone.
 */
import { CatalogError, validation } from '../errors/catalog-error.js';
import type { LanceTagInfo, LanceTagStore, LanceTagTarget } from '../catalog/ports/lance-tags.js';
import { type LanceDb, LanceDbLoopback, type LanceNamespaceClient, type LoopbackLanceApp } from './lancedb-loopback.js';
import { cleanReason, libraryFailure } from './library-errors.js';

type Tags = Awaited<ReturnType<Awaited<ReturnType<LanceNamespaceClient['openTable']>>['tags']>>;

export class LanceDbTagStore implements LanceTagStore {
  private readonly lance: LanceDbLoopback;

  constructor(
    loopback: LoopbackLanceApp,
    /** How the library is loaded (a test passes one that fails, as an install without it would). */
    load?: () => Promise<LanceDb>,
  ) {
    this.lance = new LanceDbLoopback('The Lance tag operations', loopback, load);
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }

  list(target: LanceTagTarget): Promise<ReadonlyMap<string, LanceTagInfo>> {
    return this.withTags(target, 'ListTableTags', async (tags) => {
      const out = new Map<string, LanceTagInfo>();
      // TagContents is a native object: its fields are read one by one (it spreads to nothing). The binding's answer
      // is an object: a tag named `__proto__` is its prototype, not one of its entries (checks.ts refuses that name).
      for (const [name, t] of Object.entries(await tags.list())) {
        const contents = t as { branch?: string | null; version: number; manifestSize: number };
        out.set(name, {
          ...(typeof contents.branch === 'string' && contents.branch !== '' && contents.branch !== 'main' ? { branch: contents.branch } : {}),
          version: Number(contents.version),
          manifestSize: Number(contents.manifestSize),
        });
      }
      return out;
    });
  }

  /** One tag's version (Lance reads `_refs/tags/<tag>.json` alone); its "Ref not found" is undefined, not an error. */
  async version(target: LanceTagTarget, tag: string): Promise<number | undefined> {
    try {
      return Number(await this.withTags(target, 'GetTableTagVersion', (tags) => tags.getVersion(tag)));
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_TAG_NOT_FOUND') return undefined;
      throw e;
    }
  }

  create(target: LanceTagTarget, tag: string, version: number): Promise<void> {
    return this.withTags(target, 'CreateTableTag', (tags) => tags.create(tag, version));
  }

  update(target: LanceTagTarget, tag: string, version: number): Promise<void> {
    return this.withTags(target, 'UpdateTableTag', (tags) => tags.update(tag, version));
  }

  delete(target: LanceTagTarget, tag: string): Promise<void> {
    return this.withTags(target, 'DeleteTableTag', (tags) => tags.delete(tag));
  }

  private async withTags<T>(target: LanceTagTarget, operation: string, work: (tags: Tags) => Promise<T>): Promise<T> {
    await this.lance.lancedb();
    return this.lance.withNamespace(target.warehouse, target.actor, (db) =>
      retryLostTagRace(operation, async () => {
        const table = await db.openTable(target.name, target.namespace);
        try {
          return await work(await table.tags());
        } finally {
          table.close();
        }
      }),
    );
  }
}

/** How many times a tag operation runs when another request's tag write keeps removing a tag file under it. */
export const RACE_ATTEMPTS = 3;

/** The object store's error for a tag file that vanished while Lance read or replaced it (a lost race, see the header). */
const tagFileVanished = (message: string): boolean => /\/_refs\/tags\/[^/\s,]+\.json\b/.test(message) && /\bnot found\b/i.test(message);

/**
 * Runs `attempt` (one tag operation of the library), again on a fresh read while it loses a race with another tag
 * write (a tag file vanished under it), at most RACE_ATTEMPTS times; any other failure, and the last lost race, as
 * tagFailure says (a DeleteTableTag or UpdateTableTag whose tag vanished: the tag is not found).
 */
export async function retryLostTagRace<T>(operation: string, attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      const vanished = tagFileVanished(e instanceof Error ? e.message : String(e));
      if (vanished && i < RACE_ATTEMPTS) continue;
      if (vanished && (operation === 'DeleteTableTag' || operation === 'UpdateTableTag'))
        throw new CatalogError('ERR_TAG_NOT_FOUND', `${operation}: the tag was deleted by another request meanwhile`);
      throw tagFailure(operation, e);
    }
  }
}

/** Lance 12's refs.rs failing to parse a tag file as JSON (serde's "… at line L column C"). */
const TAG_FILE_UNPARSED = /LanceError\(Arrow\): [^\n]* at line \d+ column \d+, [^\s]*dataset\/refs\.rs:/;

/** Lance's tag errors as the caller's; anything else as library-errors.ts classifies it. */
export function tagFailure(operation: string, e: unknown): CatalogError {
  const reason = cleanReason(e);
  if (/Ref not found error/.test(reason)) return new CatalogError('ERR_TAG_NOT_FOUND', `${operation}: ${reason}`);
  if (/Ref conflict error/.test(reason)) return new CatalogError('ERR_TAG_EXISTS', `${operation}: ${reason}`);
  // A table of catalog-managed versions: the namespace's own DescribeTableVersion answered 404 (code 11).
  if (/Version not found error|Table version not found/.test(reason)) return new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `${operation}: ${reason}`);
  if (/Ref is invalid/.test(reason)) return validation(`${operation} was refused by the Lance library: ${reason}`);
  // A tag file Lance cannot parse (corrupted in storage: not JSON, no version): the same bytes on every read, so never
  // the service's 503 (which invites retries forever); the service names the tag (catalog/lance/tags.ts).
  if (TAG_FILE_UNPARSED.test(e instanceof Error ? e.message : String(e)))
    return new CatalogError('ERR_ILLEGAL_ARGUMENT', `${operation}: a tag file of the table is not a Lance tag (${reason})`);
  return libraryFailure(operation, e);
}
