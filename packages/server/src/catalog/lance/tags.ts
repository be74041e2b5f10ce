/**
 * The tags of a Lance table (lance-namespace 0.13: ListTableTags, GetTableTagVersion, CreateTableTag, UpdateTableTag,
 * DeleteTableTag), for every Lance table: one of catalog-managed versions and a registered dataset whose versions are
 * its own. A tag lives in the dataset (`_refs/tags/<tag>.json`), where a client's Lance writes it too, so the catalog
 * reads and writes it through the Lance library (the LanceTagStore port; in tree LanceDB's `Table.tags()` on the
 * catalog's private loopback namespace: lance-optimize/lancedb-tags.ts), which checks the version exists on the
 * dataset and writes the ref as any Lance client does; the catalog keeps no record of tags. DescribeTable's `tag`
 * reads the same file (describe-ref.ts).
 *
 * Validate → authorize → execute: the names and version (400; a branch other than main is a 406: LanceDB 0.39's tag
 * API tags main only), the caller's privilege on the table (reading tags `table:read-metadata`, as DescribeTable;
 * creating, moving and deleting one `table:write-data`, as a version of the table: a tag keeps a version from Lance's
 * cleanup and names what readers check out), the library (406 without it). The library acts for the caller through
 * the loopback's job credential (`Caller.catalogJob`), to which no row/column policy applies: a caller a policy
 * restricts is answered the table's own tags, never a policy-derived dataset's (a tag names a version, no rows).
 * Writes are audited as the caller (`lance.tag.created`, `.updated`, `.deleted`) and send a change event
 * (`lance-table.tag-created`, `.tag-updated`, `.tag-deleted`: tag, version, the version it named before). The tag is
 * in the dataset, not the catalog database, so its event cannot commit with it: it is delivered at least once (in the
 * outbox once, under one id: exactly once for a consumer that drops duplicates by id). The event is recorded as an
 * intent before Lance's write and published after it (tag-events.ts); a refused write has none; a crash, or the
 * database failing, in between is recovered from the tag's state in the dataset once the intent is older than
 * `lanceTagIntentRecoverySeconds` (2 minutes by default), at start and by the sweep (tag-recovery.ts; docs/events.md,
 * "Lance tags"). What the tag named before is read just before every write (the event's previous version; the intent
 * keeps it, so the recovery drops a write Lance refused whose intent outlived the refusal), so a concurrent move of
 * the same tag may make it stale.
 *
 * A table only declared (DeclareTable, no version written yet) has no dataset for the library to open: its failure
 * (503) is answered as what such a table holds, no tags and no versions (an empty list, a tag's 404 code 8, a version's
 * 404 code 11), checked only once the library failed, so the served path reads nothing more.
 * Framework-free: no HTTP, no SQL.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { TableContext } from '../kit/table-kit.js';
import type { ChangeKind } from '../outbox/changes.js';
import { MAX_PAGE_SIZE, type PageRequest } from '../paging.js';
import type { Privilege } from '../privileges.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import type { LanceTagInfo, LanceTagStore, LanceTagTarget } from '../ports/lance-tags.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { onlyDeclared } from './describe-ref.js';
import { lanceLibraryMissing } from './library.js';
import { isManaged } from './managed.js';
import { checkLanceTableId, LANCE_TABLE } from './table-id.js';
import { checkBranch, checkPageToken, checkTag, checkVersion } from './versions/checks.js';
import { corruptTags, isTagName } from './tag-files.js';
import { type TagEventHold, type TagWrite, writeWithEvent } from './tag-events.js';
import { recoverTagEvents, type TagRecovery } from './tag-recovery.js';

export class LanceTagService {
  private store: LanceTagStore | undefined;
  private hold: TagEventHold | undefined;

  constructor(private readonly ctx: TableContext) {}

  /**
   * Attached where the server is composed (compose/lance-optimizer.ts); without one, the tag operations are a 406.
   * `hold`: the crash test's pause point after Lance's write (compose/derivation-hold.ts); none outside it.
   */
  useStore(store: LanceTagStore | undefined, hold?: TagEventHold): void {
    this.store = store;
    this.hold = hold;
  }

  /** ListTableTags: a page of the dataset's tags in name order, after `pageToken` (the last name of the page before). */
  async list(
    request: CatalogRequest,
    idInput: unknown,
    paging: PageRequest,
  ): Promise<{ tags: Record<string, LanceTagInfo>; nextPageToken: string | undefined }> {
    // validate
    const limit = paging.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw validation(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    const after = checkPageToken(paging.pageToken, checkTag, 'tag');
    // authorize, execute
    const opened = await this.open(request, idInput, 'table:read-metadata', 'ListTableTags');
    const names = [...(await this.all(opened))].filter(([name]) => after === undefined || name > after).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = names.slice(0, limit);
    return { tags: Object.fromEntries(page), nextPageToken: names.length > limit ? page.at(-1)![0] : undefined };
  }

  /** GetTableTagVersion: the version (and branch) the tag names. */
  async version(request: CatalogRequest, idInput: unknown, tagInput: unknown): Promise<LanceTagInfo> {
    const tag = requiredTag(tagInput);
    const opened = await this.open(request, idInput, 'table:read-metadata', 'GetTableTagVersion');
    const { table } = opened;
    const found = await this.tagged(opened, tag);
    if (found === undefined) throw noTag(table, tag);
    return found;
  }

  /** CreateTableTag and UpdateTableTag: the tag names `version` of main from now on. */
  async put(
    request: CatalogRequest,
    idInput: unknown,
    input: { tag?: unknown; version?: unknown; branch?: unknown },
    mode: 'create' | 'update',
  ): Promise<void> {
    // validate
    const tag = requiredTag(input.tag);
    const version = checkVersion(input.version, 'version');
    const branch = checkBranch(input.branch);
    const operation = mode === 'create' ? 'CreateTableTag' : 'UpdateTableTag';
    if (branch !== MAIN_BRANCH)
      throw new CatalogError(
        'ERR_NOT_IMPLEMENTED',
        `${operation} on a branch other than main is not served: the Lance library here (LanceDB 0.39) tags main only`,
      );
    // authorize, execute
    const opened = await this.open(request, idInput, 'table:write-data', operation);
    const { target, store, scope, table } = opened;
    const before = await this.tagBefore(opened, tag);
    const previous = mode === 'update' ? before?.version : undefined;
    const [kind, data] =
      mode === 'create'
        ? (['lance-table.tag-created', { tag, version }] as const)
        : (['lance-table.tag-updated', { tag, version, ...(previous === undefined ? {} : { 'previous-version': previous }) }] as const);
    await this.withEvent(opened, { tag, version, operation: mode, before }, kind, data, () =>
      this.orDeclared(opened, mode === 'create' ? store.create(target, tag, version) : store.update(target, tag, version), () => {
        // Lance checks the tag before the version on update (a missing tag is its 404 code 8), the version on create.
        if (mode === 'update') throw noTag(table, tag);
        throw new CatalogError(
          'ERR_TABLE_VERSION_NOT_FOUND',
          `Table ${formatIdentifier(table.namespace, table.name)} has no version ${version}: it is only declared`,
        );
      }),
    );
    await this.audit(scope, table, `lance.tag.${mode === 'create' ? 'created' : 'updated'}`, { tag, version: String(version) });
  }

  /** DeleteTableTag: the tag is removed; the version it named stays (until Lance's cleanup). */
  async delete(request: CatalogRequest, idInput: unknown, tagInput: unknown): Promise<void> {
    const tag = requiredTag(tagInput);
    const opened = await this.open(request, idInput, 'table:write-data', 'DeleteTableTag');
    const { target, store, scope, table } = opened;
    const before = await this.tagBefore(opened, tag);
    const previous = before?.version;
    const data = { tag, ...(previous === undefined ? {} : { version: previous }) };
    await this.withEvent(opened, { tag, version: undefined, operation: 'delete', before }, 'lance-table.tag-deleted', data, () =>
      this.orDeclared(opened, store.delete(target, tag), () => {
        throw noTag(table, tag);
      }),
    );
    await this.audit(scope, table, 'lance.tag.deleted', { tag });
  }

  /**
   * The library's answer, or, when it failed (503) on a table only declared (no dataset to open), what `declared`
   * answers (or throws) for such a table; when it failed as not finding the tag, the version or the dataset and the
   * table was dropped (or replaced) meanwhile, the table's 404 (code 4): the library, opening a table going away,
   * words it as a version or tag missing (before: 404 code 11 "no version 1" from a CreateTableTag racing a drop);
   * any other failure as it is.
   */
  private async orDeclared<T>(opened: Opened, work: Promise<T>, declared: () => T): Promise<T> {
    try {
      return await work;
    } catch (e) {
      if (!(e instanceof CatalogError)) throw e;
      if (LOST_WITH_THE_TABLE.has(e.code) && (await this.gone(opened)))
        throw new CatalogError(
          'ERR_TABLE_NOT_FOUND',
          `Table does not exist: ${formatIdentifier(opened.table.namespace, opened.table.name)} (dropped meanwhile)`,
        );
      if (e.code !== 'ERR_UNAVAILABLE') throw e;
      if (!(await onlyDeclared(this.ctx, opened.scope, opened.record, isManaged(opened.record)))) throw e;
      return declared();
    }
  }

  /** Whether the table opened is no longer the one under its name (dropped, deregistered or replaced). */
  private async gone(opened: Opened): Promise<boolean> {
    const now = await this.ctx.store.repository.getObject(opened.scope.warehouse.name, opened.table.namespace, opened.table.name);
    return now?.id !== opened.record.id;
  }

  /** What `tag` names now, or undefined (none on a table only declared). */
  private async tagged(opened: Opened, tag: string): Promise<LanceTagInfo | undefined> {
    return (await this.all(opened)).get(tag);
  }

  /**
   * Every tag of the table by name (none on a table only declared): a Map, so a tag named `constructor` is no lookup
   * of Object's. A tag file that is no Lance tag (corrupted in storage) fails the listing, as Lance's does, with a 400
   * naming it (corruptTags), which DeleteTableTag removes: before 2026-11-29 a 503, telling clients to retry forever.
   */
  private async all(opened: Opened): Promise<ReadonlyMap<string, LanceTagInfo>> {
    try {
      return await this.orDeclared(opened, opened.store.list(opened.target), (): ReadonlyMap<string, LanceTagInfo> => new Map());
    } catch (e) {
      // The library's failure may also be an unavailable tag file: one under a name no tag has (tag-files.ts).
      if (!(e instanceof CatalogError) || (e.code !== 'ERR_ILLEGAL_ARGUMENT' && e.code !== 'ERR_UNAVAILABLE')) throw e;
      const bad = await corruptTags(this.ctx, opened).catch(() => []);
      if (e.code === 'ERR_UNAVAILABLE' && bad.length === 0) throw e;
      const table = formatIdentifier(opened.table.namespace, opened.table.name);
      const which = bad.length === 0 ? 'a tag file' : `the tag file${bad.length > 1 ? 's' : ''} of ${bad.map((t) => JSON.stringify(t)).join(', ')}`;
      const removal = bad.some((t) => !isTagName(t))
        ? 'they are removed from storage (a name no tag may have)'
        : `DeleteTableTag removes ${bad.length > 1 ? 'them' : 'it'}`;
      throw new CatalogError(
        'ERR_ILLEGAL_ARGUMENT',
        `Table ${table}: ${which} in its dataset's _refs/tags/ ${bad.length > 1 ? 'are' : 'is'} no Lance tag, so its tags cannot be listed until ${removal}${e.code === 'ERR_ILLEGAL_ARGUMENT' ? ` (${e.message})` : ''}`,
      );
    }
  }

  /**
   * What `tag` is before a write creates, moves or deletes it: the version it names (undefined: no tag), for the
   * event (`previous-version`) and the intent (the recovery tells a refused write by it, tag-recovery.ts); that one
   * tag read (before 2026-11-29 every tag of the dataset was listed for it; before issue 58's follow-up a create read
   * none). A tag file that is no Lance tag: not known (undefined), naming no previous version.
   */
  private async tagBefore(opened: Opened, tag: string): Promise<{ version: number | undefined } | undefined> {
    try {
      return { version: await this.orDeclared(opened, opened.store.version(opened.target, tag), () => undefined) };
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_ILLEGAL_ARGUMENT') return undefined;
      throw e;
    }
  }

  /** The tag write `write` with its change event: recorded as an intent before, published after (tag-events.ts). */
  private withEvent(
    opened: Opened,
    what: Pick<TagWrite, 'tag' | 'version' | 'operation' | 'before'>,
    kind: ChangeKind,
    data: Record<string, unknown>,
    write: () => Promise<unknown>,
  ): Promise<void> {
    const { scope, table, record } = opened;
    const w: TagWrite = { warehouse: scope.warehouse.name, caller: scope.caller, table, tableId: record.id, uuid: record.uuid, ...what };
    return writeWithEvent(this.ctx, w, kind, data, write, this.hold);
  }

  /**
   * The recovery of tag writes a crash or a failing database interrupted (tag-recovery.ts): run when the server
   * starts and by every housekeeping sweep; intents younger than `olderThanMs` are left to their requests.
   */
  recover(olderThanMs: number): Promise<TagRecovery> {
    return recoverTagEvents(this.ctx, this.store, olderThanMs);
  }

  /** The Lance table, the caller authorized on it, and the library (406 without it), in that order. */
  private async open(request: CatalogRequest, idInput: unknown, privilege: Privilege, operation: string): Promise<Opened> {
    const id = checkLanceTableId(idInput);
    const scope = await this.ctx.scope(request);
    const [ns, record] = await Promise.all([
      this.ctx.access.namespacePath(scope.warehouse, id.namespace),
      this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name),
    ]);
    const object = describeObject(scope.warehouse.name, id.namespace, id.name);
    const missing = () => new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(id.namespace, id.name)}`);
    if (!record || record.kind !== LANCE_TABLE) return this.ctx.access.notFoundOrForbidden(scope, ns.path, privilege, object, missing);
    await this.ctx.access.requireAll(scope, [privilege], this.ctx.access.objectPath(ns.path, 'table', record.id), { object });
    const store = this.store;
    if (store === undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing(operation));
    const unavailable = await store.unavailable();
    if (unavailable !== undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', unavailable);
    const target = { warehouse: scope.warehouse.name, namespace: [...id.namespace], name: id.name, actor: scope.caller };
    return { target, store, scope, record, table: { namespace: [...id.namespace], name: id.name } };
  }

  private audit(scope: RequestScope, table: { namespace: string[]; name: string }, event: string, details: Record<string, string>): Promise<void> {
    return this.ctx.access.record(scope.caller, event, 'allow', 'table:write-data', describeObject(scope.warehouse.name, table.namespace, table.name), details);
  }
}

interface Opened {
  target: LanceTagTarget;
  store: LanceTagStore;
  scope: RequestScope;
  record: CatalogObjectRecord;
  table: { namespace: string[]; name: string };
}

/** What the library answers for a table dropped under it (see orDeclared). */
const LOST_WITH_THE_TABLE = new Set(['ERR_TAG_NOT_FOUND', 'ERR_TABLE_VERSION_NOT_FOUND', 'ERR_TABLE_NOT_FOUND', 'ERR_UNAVAILABLE']);

const noTag = (table: { namespace: string[]; name: string }, tag: string) =>
  new CatalogError('ERR_TAG_NOT_FOUND', `Table ${formatIdentifier(table.namespace, table.name)} has no tag ${JSON.stringify(tag)}`);

function requiredTag(value: unknown): string {
  const tag = checkTag(value);
  if (tag === undefined) throw validation('tag is required');
  return tag;
}
