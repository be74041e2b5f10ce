/**
 * Commits: one table (updateTable) or several at once (multi-table
 * transactions), all-or-nothing. Optimistic: every table's new metadata
 * file is written first, then the pointers are swapped in one database
 * transaction that rolls back entirely if any compare-and-swap loses; the
 * loser is re-applied on the winner's metadata while its requirements
 * still hold, and otherwise gets ERR_COMMIT_CONFLICT.
 *
 * Authorization, for every table of the change before anything runs:
 * committing to an existing table needs `table:write-data` on it; a create
 * transaction (assert-create) needs `table:create` on the namespace, plus
 * `table:write-data` there when it adds snapshots; completing someone
 * else's stage-created table needs both whatever it adds.
 *
 * On a federated warehouse the same authorization runs, and the change (a replace's included) is then the remote's
 * own commit, sent once the paths its updates bring in are held to this warehouse's storage (tables/paths.ts).
 */
import type { CommitTableRequest } from '@lakegate/protocol';
import { commitConflict, validation } from '../../errors/catalog-error.js';
import type { Privilege } from '../privileges.js';
import { APPLIED_OUTCOME, type CatalogRequest, type RequestScope } from '../context.js';
import { checkIdentifier, checkNewIdentifier, formatIdentifier, objectOrderKey, type TableIdentifier } from '../identifiers.js';
import { parseJson } from '../json.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { checkNoOverlap, isAllowedLocation } from '../location-policy.js';
import { isUnderNormalized, normalizeLocation } from '../locations.js';
import { refuseUnfitSchema } from '../policies/follow.js';
import { applyTableUpdatesDetailed, checkTableRequirements, withMetadataLog } from '../metadata/index.js';
import type { TableMetadata, TableRequirement, TableUpdate } from '../metadata/index.js';
import { type MetadataResult, readMetadataFile, writeMetadataFile } from '../metadata-files.js';
import type { CatalogObjectRecord, CatalogRepository } from '../ports/index.js';
import { checkIntroducedByUpdates, checkIntroducedPaths } from './paths.js';
import {
  type TableContext,
  checkTableLocation,
  defaultLocation,
  metadataLocationFor,
  resolveTable,
  tableExists,
  tableNotFound,
  tableObject,
} from '../kit/table-kit.js';
import { commitEvents as committedChanges } from '../outbox/commit-events.js';
import { recordChanges } from '../outbox/changes.js';
import { isFederatedScope } from '../ports/remote-catalog.js';

export interface TableChange {
  identifier: TableIdentifier;
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

/** The one mapping of a commit's wire request (updateTable's body, or one of a transaction's table-changes) to a TableChange of the table it names. */
export function tableChangeOf(identifier: TableIdentifier, wire: Pick<CommitTableRequest, 'requirements' | 'updates'>): TableChange {
  return { identifier, requirements: wire.requirements ?? [], updates: wire.updates };
}

/** One table's commit, prepared (metadata file written) but not yet swapped in. */
interface PreparedCommit {
  identifier: TableIdentifier;
  base: CatalogObjectRecord | undefined;
  metadata: TableMetadata;
  metadataJson: string;
  metadataLocation: string;
  changed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const commitLocks = new WeakMap<TableContext, KeyedMutex>();

/** Thrown inside the store transaction when a compare-and-swap loses, so that the whole transaction rolls back. */
class LostRace extends Error {
  constructor(readonly commit: PreparedCommit) {
    super('lost a compare-and-swap race');
  }
}

export async function commitTables(ctx: TableContext, request: CatalogRequest, input: readonly TableChange[]): Promise<Array<MetadataResult>> {
  // validate
  if (input.length === 0) throw validation('a commit needs at least one table change');
  const changes = input.map((c) => {
    if (!Array.isArray(c.requirements)) throw validation('requirements must be an array');
    if (!Array.isArray(c.updates)) throw validation('updates must be an array');
    // A create transaction names a table being created: the rule for new names (issue 41).
    return { ...c, identifier: isCreate(c) ? checkNewIdentifier(c.identifier) : checkIdentifier(c.identifier) };
  });
  const seen = new Set<string>();
  for (const c of changes) {
    const key = formatIdentifier(c.identifier.namespace, c.identifier.name);
    if (seen.has(key)) throw validation(`table ${key} appears more than once in the transaction`);
    seen.add(key);
  }
  const scope = await ctx.scope(request);
  for (const change of changes) await ctx.federation?.seeTable(scope, change.identifier.namespace, change.identifier.name);
  // authorize: every table of the transaction, before anything is written (each change remembers which table it was
  // authorized for: its catalog id, or none for a create)
  const authorized: AuthorizedChange[] = [];
  for (const change of changes) authorized.push({ ...change, authorizedId: await authorizeChange(ctx, scope, change) });
  // A federated warehouse's commit is the remote's own, with the requirements (federation/federated-tables.ts); what it
  // brings into the table is held to this warehouse's storage first, over the mirrored base (tables/paths.ts).
  if (ctx.federation && isFederatedScope(scope)) {
    for (const c of authorized) checkIntroducedByUpdates(scope.warehouse, await mirroredBase(ctx, scope, c), c.updates);
    return ctx.federation.commit(scope, authorized);
  }
  // execute (or answer from what an earlier attempt with the same Idempotency-Key applied)
  const applied = request.idempotency?.applied === undefined ? undefined : await answerFromOutcome(ctx, scope, changes, request.idempotency.applied);
  if (applied) return applied;
  let locks = commitLocks.get(ctx);
  if (!locks) commitLocks.set(ctx, (locks = new KeyedMutex()));
  const keys = changes.map((c) => `${scope.warehouse.name}\u0000${formatIdentifier(c.identifier.namespace, c.identifier.name)}`);
  // Queued per table in this process, then among this server's processes (--workers), so they rarely lose races to each other.
  return locks.runExclusive(keys, () => ctx.coherence.runExclusive(keys, () => commitWithRetries(ctx, scope, authorized, request.idempotency?.key)));
}

interface AppliedOutcome {
  tables: Array<{ namespace: string[]; name: string; metadataLocation: string }>;
}

/**
 * The answer of a commit an earlier attempt applied (noted under its Idempotency-Key in the same transaction), when
 * every table of the change still has that metadata file as its current one or in its metadata log; undefined
 * otherwise (the note is unreadable or does not match: the change runs as usual, its requirements still guard it).
 */
async function answerFromOutcome(
  ctx: TableContext,
  scope: RequestScope,
  changes: readonly TableChange[],
  note: string,
): Promise<Array<MetadataResult> | undefined> {
  let outcome: AppliedOutcome;
  try {
    outcome = parseJson(note.slice(APPLIED_OUTCOME.length)) as AppliedOutcome;
  } catch {
    return undefined;
  }
  const storage = await ctx.storageFor(scope.warehouse);
  const answers: Array<MetadataResult> = [];
  for (const change of changes) {
    const key = formatIdentifier(change.identifier.namespace, change.identifier.name);
    const entry = outcome.tables?.find((t) => formatIdentifier(t.namespace, t.name) === key);
    if (!entry) return undefined;
    const record = await ctx.store.repository.getObject(scope.warehouse.name, change.identifier.namespace, change.identifier.name);
    if (!record || record.kind !== 'table') return undefined;
    const current = parseJson(record.metadataJson) as TableMetadata;
    const known =
      record.metadataLocation === entry.metadataLocation || (current['metadata-log'] ?? []).some((e) => e['metadata-file'] === entry.metadataLocation);
    if (!known) return undefined;
    const metadataJson =
      record.metadataLocation === entry.metadataLocation ? record.metadataJson : (await readMetadataFile(storage, entry.metadataLocation)).json;
    answers.push({ metadataLocation: entry.metadataLocation, metadataJson });
  }
  return answers;
}

const isCreate = (change: TableChange) => change.requirements.some((r) => (r as { type?: unknown })?.type === 'assert-create');
const addsSnapshots = (change: TableChange) => change.updates.some((u) => (u as { action?: unknown })?.action === 'add-snapshot');
const assignedUuid = (change: TableChange): string | undefined => {
  const u = change.updates.find((x) => (x as { action?: unknown })?.action === 'assign-uuid') as { uuid?: unknown } | undefined;
  return typeof u?.uuid === 'string' ? u.uuid : undefined;
};

/** A change with the catalog id of the table it was authorized for (undefined: a create, authorized on the namespace). */
interface AuthorizedChange extends TableChange {
  authorizedId: string | undefined;
}

/** The mirrored metadata of the table a federated change was authorized for (none for a create). */
async function mirroredBase(ctx: TableContext, scope: RequestScope, change: AuthorizedChange): Promise<TableMetadata | null> {
  if (change.authorizedId === undefined) return null;
  const record = await ctx.store.repository.getObject(scope.warehouse.name, change.identifier.namespace, change.identifier.name);
  return record?.kind === 'table' && record.id === change.authorizedId ? (parseJson(record.metadataJson) as TableMetadata) : null;
}

async function authorizeChange(ctx: TableContext, scope: RequestScope, change: TableChange): Promise<string | undefined> {
  const { namespace, name } = change.identifier;
  const resolved = await resolveTable(ctx, scope, namespace, name);
  const object = tableObject(scope, namespace, name);
  if (resolved.record) {
    const path = ctx.access.objectPath(resolved.namespacePath, 'table', resolved.record.id);
    await ctx.access.require(scope, 'table:write-data', path, { object, recordAllow: true });
    return resolved.record.id;
  }
  if (!isCreate(change) || resolved.namespaceMissing) {
    // Nothing to commit to (or no namespace to create in): not found to those who may see the namespace.
    return ctx.access.notFoundOrForbidden(scope, resolved.namespacePath, isCreate(change) ? 'table:create' : 'table:write-data', object, () =>
      tableNotFound(namespace, name),
    );
  }
  const needed: Privilege[] = ['table:create'];
  const uuid = assignedUuid(change);
  const staged = uuid === undefined ? undefined : await ctx.store.repository.getStagedTable(scope.warehouse.name, namespace, name, ctx.clock.now(), uuid);
  const someoneElses = staged !== undefined && staged.owner !== '' && staged.owner !== scope.caller.key;
  if (addsSnapshots(change) || someoneElses) needed.push('table:write-data');
  await ctx.access.requireAll(scope, needed, resolved.namespacePath, { object, recordAllow: true });
  return undefined;
}

async function commitWithRetries(
  ctx: TableContext,
  scope: RequestScope,
  changes: AuthorizedChange[],
  idempotencyKey: string | undefined,
): Promise<Array<MetadataResult>> {
  for (let attempt = 0; ; attempt += 1) {
    const prepared: PreparedCommit[] = [];
    // After a lost race, where the database has row locks, the attempt holds its tables' rows from before it reads
    // them until it swaps: another process cannot swap in between, so a commit cannot lose every race (starve) to a
    // replica that commits to the same table back to back. Otherwise it prepares first and the swap decides.
    const locked = attempt > 0 && ctx.store.rowLocks === true;
    if (!locked) for (const change of changes) prepared.push(await prepare(ctx, scope, change));
    let outcome: PreparedCommit | undefined;
    // A create transaction's creator owns the tables it makes, granted in this attempt's transaction (access/creator-ownership.ts).
    const owner = changes.some((c) => c.authorizedId === undefined) ? await ctx.access.creatorGrant(scope) : undefined;
    try {
      await ctx.store.transaction(async (repo, ports) => {
        if (locked) {
          await repo.lockObjects(
            scope.warehouse.name,
            changes.map((c) => c.identifier),
          );
          for (const change of changes) prepared.push(await prepare(ctx, scope, change, repo));
        }
        // In one fixed order (by name), as the locks are taken: two multi-table commits cannot deadlock.
        for (const p of [...prepared].sort(bySwapOrder)) {
          // Throwing (not returning) rolls back the swaps already made for other tables.
          // Unchanged tables are swapped onto themselves: the compare-and-swap still proves their requirements held at commit time.
          const id = await swap(ctx, scope, repo, p);
          if (id === false) throw new LostRace(p);
          if (typeof id === 'string')
            await owner?.record(ports, { kind: 'table', id }, `${scope.warehouse.name}/${formatIdentifier(p.identifier.namespace, p.identifier.name)}`);
        }
        await recordChanges(ctx, repo, scope.warehouse.name, scope.caller, ...committedChanges(changes, prepared));
        if (idempotencyKey !== undefined) {
          const outcome: AppliedOutcome = {
            tables: prepared.map((p) => ({ namespace: p.identifier.namespace, name: p.identifier.name, metadataLocation: p.metadataLocation })),
          };
          await repo.noteIdempotentOutcome(idempotencyKey, `${APPLIED_OUTCOME}${JSON.stringify(outcome)}`);
        }
      });
    } catch (e) {
      if (!(e instanceof LostRace)) throw e;
      outcome = e.commit;
    }
    if (outcome === undefined) {
      for (const p of prepared) {
        if (p.base === undefined && p.changed) {
          await ctx.store.repository.deleteStagedTable(scope.warehouse.name, p.identifier.namespace, p.identifier.name, p.metadata['table-uuid']);
        }
      }
      await owner?.committed();
      await Promise.all(prepared.map((p) => deleteTrimmedMetadata(ctx, scope, p)));
      return prepared.map((p) => ({ metadataLocation: p.metadataLocation, metadataJson: p.metadataJson }));
    }
    // Lost a race: the files just written are unreferenced and are removed; retry on the new base.
    const io = await ctx.storageFor(scope.warehouse);
    await Promise.all(prepared.filter((p) => p.changed).map((p) => io.delete(p.metadataLocation).catch(() => undefined)));
    if (outcome.base === undefined)
      throw commitConflict(`Requirement failed: table already exists: ${formatIdentifier(outcome.identifier.namespace, outcome.identifier.name)}`);
    if (attempt >= ctx.settings.commitRetries) {
      throw commitConflict(
        `Commit to ${formatIdentifier(outcome.identifier.namespace, outcome.identifier.name)} lost ${attempt + 1} concurrent-update races; retry`,
      );
    }
    ctx.outcomes.report({
      type: 'commit.retried',
      warehouse: scope.warehouse.name,
      namespace: outcome.identifier.namespace,
      name: outcome.identifier.name,
      attempt: attempt + 1,
    });
    // Another process won: back off with jitter so that contending processes stop colliding in lockstep (with row
    // locks the next attempt queues on the database instead).
    if (ctx.store.rowLocks !== true) await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
  }
}

/** The order of swaps and row locks (identifiers.ts objectOrderKey, as CatalogRepository.lockObjects takes them). */
function bySwapOrder(a: PreparedCommit, b: PreparedCommit): number {
  const ka = objectOrderKey(a.identifier.namespace, a.identifier.name);
  const kb = objectOrderKey(b.identifier.namespace, b.identifier.name);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** @param repo where it reads: the store's repository, or the locking transaction's. */
async function prepare(
  ctx: TableContext,
  scope: RequestScope,
  change: AuthorizedChange,
  repo: CatalogRepository = ctx.store.repository,
): Promise<PreparedCommit> {
  const { identifier } = change;
  const record = await repo.getObject(scope.warehouse.name, identifier.namespace, identifier.name);
  const create = isCreate(change);
  if (record && record.kind !== 'table') {
    // A view, or a Lance table (catalog/lance/): either way the name is taken.
    if (create) throw tableExists(record, identifier.namespace, identifier.name);
    throw tableNotFound(identifier.namespace, identifier.name);
  }
  if (!record && !create) throw tableNotFound(identifier.namespace, identifier.name);
  // Only the table the change was authorized for: one dropped (and re-created) since is another table. (A create was
  // authorized on the namespace; a table created there since fails its assert-create.)
  if (change.authorizedId !== undefined && record?.id !== change.authorizedId)
    throw commitConflict(`Table ${formatIdentifier(identifier.namespace, identifier.name)} was replaced while the commit was being authorized; retry`);
  const ns = record ? undefined : await ctx.namespaces.require(scope, identifier.namespace);
  const base = record ? (parseJson(record.metadataJson) as TableMetadata) : null;
  checkTableRequirements(base, change.requirements);
  const applied = applyTableUpdatesDetailed(base, change.updates, {
    nowMs: ctx.clock.now(),
    newUuid: ctx.newUuid,
    // A create transaction that sets no location gets the same default a plain create would.
    defaultLocation: (uuid) => defaultLocation(scope, identifier.namespace, identifier.name, uuid, ns?.properties ?? {}),
  });
  let next = applied.metadata;
  if (record) await refuseUnfitSchema(ctx.policies, scope.warehouse.tenant, record, base!, next);
  checkTableLocation(scope, next.location);
  checkIntroducedPaths(scope.warehouse, base, next);
  if (record && !applied.changed) {
    return { identifier, base: record, metadata: base!, metadataJson: record.metadataJson, metadataLocation: record.metadataLocation, changed: false };
  }
  // A location the server did not choose or check already (a moved table, a create transaction that was not
  // stage-created here) may not overlap another table's. The uuid and location of a create are the client's
  // to choose, so nothing short of this lookup tells that they are unique. A live stage-create's location was
  // checked when it was staged, and stage-created tables count in every check since, so nothing overlaps it.
  const staged = record
    ? undefined
    : await repo.getStagedTable(scope.warehouse.name, identifier.namespace, identifier.name, ctx.clock.now(), next['table-uuid']);
  const knownLocation = record ? normalizeLocation(record.location) : staged ? normalizeLocation(staged.location) : undefined;
  if (normalizeLocation(next.location) !== knownLocation) {
    await checkNoOverlap(repo, scope.warehouse, next.location, { ...(record ? { except: record.id } : {}), table: identifier, nowMs: ctx.clock.now() });
  }
  if (record) next = withMetadataLog(base!, record.metadataLocation, next);
  const metadataLocation = metadataLocationFor(ctx, scope, next, record?.metadataLocation ?? null);
  const metadataJson = await writeMetadataFile(await ctx.storageFor(scope.warehouse), metadataLocation, next);
  return { identifier, base: record, metadata: next, metadataJson, metadataLocation, changed: true };
}

/** Applies one prepared commit in the transaction: false when it lost the race; the new table's id when it created one. */
async function swap(ctx: TableContext, scope: RequestScope, repo: CatalogRepository, p: PreparedCommit): Promise<boolean | string> {
  const now = ctx.clock.now();
  if (p.base === undefined) {
    const id = ctx.newUuid();
    const inserted = await repo.insertObject({
      id,
      warehouse: scope.warehouse.name,
      namespace: p.identifier.namespace,
      name: p.identifier.name,
      kind: 'table',
      uuid: p.metadata['table-uuid'],
      location: normalizeLocation(p.metadata.location),
      metadataLocation: p.metadataLocation,
      metadataJson: p.metadataJson,
      createdAtMs: now,
      updatedAtMs: now,
      // A stage-created table's commit: the catalog created it there.
      locationOwned: true,
    });
    return inserted && id;
  }
  return repo.swapMetadata(
    {
      warehouse: scope.warehouse.name,
      namespace: p.identifier.namespace,
      name: p.identifier.name,
      kind: 'table',
      expectedMetadataLocation: p.base.metadataLocation,
      metadataLocation: p.metadataLocation,
      metadataJson: p.metadataJson,
      location: normalizeLocation(p.metadata.location),
    },
    now,
  );
}

/**
 * write.metadata.delete-after-commit.enabled: files trimmed out of the metadata-log by this commit are deleted, if
 * they lie inside the table's own location. A registered metadata file brings its log along as the client wrote
 * it, so the log may name any file, another table's included: only the table's own are its to delete.
 */
async function deleteTrimmedMetadata(ctx: TableContext, scope: RequestScope, p: PreparedCommit): Promise<void> {
  if (!p.changed || !p.base || p.metadata.properties?.['write.metadata.delete-after-commit.enabled'] !== 'true') return;
  const previous = (parseJson(p.base.metadataJson) as TableMetadata)['metadata-log'] ?? [];
  const kept = new Set((p.metadata['metadata-log'] ?? []).map((e) => e['metadata-file']));
  const own = normalizeLocation(p.base.location);
  for (const entry of previous) {
    const file = entry['metadata-file'];
    if (!kept.has(file) && isOwnFile(own, file) && isAllowedLocation(scope.warehouse, file))
      await (await ctx.storageFor(scope.warehouse)).delete(file).catch(() => undefined);
  }
}

/** True when file lies below the (normalized) table location; false for anything that is not a valid location. */
function isOwnFile(location: string, file: unknown): boolean {
  if (typeof file !== 'string') return false;
  try {
    const f = normalizeLocation(file);
    return f !== location && isUnderNormalized(location, f);
  } catch {
    return false;
  }
}
