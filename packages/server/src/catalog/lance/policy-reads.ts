/**
 * Row-filter and column-mask policies on Lance tables (issue 53 on the Lance protocol). A Lance reader opens the
 * dataset's files itself with the storage access DescribeTable vends, so no plan stands between it and the rows: a
 * caller a policy restricts is answered with a **policy-derived dataset** instead, which the catalog writes from the
 * table (LancePolicyDeriver port: only the rows the effective row filter admits, the masked columns masked with the
 * Iceberg path's mask functions) and answers with that dataset's location and read-only storage access scoped to it.
 * The caller never receives the table's own location's credentials.
 *
 *  - Where: `<table location>/_lakegate/policy/<policy version>/lance-v<version>-<uuid>.lance` (the prefix of the
 *    Iceberg path's derived files, policies/derived-location.ts), one dataset per table version and policy version
 *    (a branch's: `lance-b<branch name in hex>-v<version>-<uuid>.lance`, derivedStem); a side file
 *    `lance-v<version>.json` (`<stem>.json`) beside it records which dataset holds it, written with writeNew, so two
 *    derivations racing agree on the first one recorded. Derivations of one dataset hold a claim (Coherence.claim:
 *    among workers and replicas on one database), so the one that waited finds it written.
 *  - The policy's columns are found by Lance's own field ids in the version read (native-fields.ts: a rename is
 *    followed, a column dropped or added again fails the read, 422), then bound by name against the dataset's schema
 *    there (field id = column position + 1): a masked or filtered column that is gone fails the read (422), never an
 *    unmasked answer. A policy stored before it recorded Lance's ids is bound by name only.
 *  - Without the Lance library the restricted caller is refused (403, as every other hand-out of storage access to a
 *    restricted caller is), never given the table.
 *  - The answer has no `managed_versioning`: the derived dataset keeps its own versions, which its reader reads.
 *  - A dropped table: policy-lifecycle.ts (a derivation re-checks its table after writing, a drop waits for this
 *    process's derivations); a process dying in between: the intent each derivation records first (policy-recovery.ts).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import { BoundedMap } from '../bounded-map.js';
import { parseJson, stringifyJson } from '../json.js';
import type { TableContext } from '../kit/table-kit.js';
import type { Schema } from '../metadata/types.js';
import type { RequestScope } from '../context.js';
import type { CatalogObjectRecord, ObjectStorage } from '../ports/index.js';
import type { LanceColumn, LancePolicyDeriver, LancePolicySchema, LanceSource } from '../ports/lance-policy.js';
import type { EffectivePolicy } from '../policies/effective.js';
import { derivedPrefix } from '../policies/derived-location.js';
import { lanceStorageOptions, refreshOffsetOf } from './storage-options.js';
import type { LanceTableId } from './table-id.js';
import { isManaged, managedAwaitingFirstVersion } from './managed.js';
import { DerivationsInFlight, derivationCaller, discardDerived, tableGone, tableLives } from './policy-lifecycle.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import { bindPolicy, checkCarried, lanceSchema, uncarriedAtRead } from './policy-columns.js';
import { type DerivationRecovery, recoverDerivations } from './policy-recovery.js';
import { followLance, type LatestLanceShape, nativeIdsByPath } from './native-fields.js';
import { LanceVersionFields } from './version-fields.js';

export { bindPolicy, derivationCaller, lanceSchema };

/** What DescribeTable answers a restricted caller: the derived dataset and storage access to it only. */
export interface DerivedLanceRead {
  location: string;
  storageOptions: Record<string, string>;
}

const SIDE_MAX_BYTES = 64 * 1024;
/** How long a dataset this process remembers is answered without asking its side file again (a minute). */
export const KNOWN_RECHECK_MS = 60_000;

export class LancePolicyReads {
  private deriver: LancePolicyDeriver | undefined;
  /** Derived datasets this process found or wrote, by table, policy version and version. */
  private readonly known = new BoundedMap<string, { dataset: string; atMs: number }>({ maxEntries: 10_000, evict: 'oldest' });
  /** Derivations running in this process: a concurrent read of the same dataset waits for it instead of deriving too. */
  private readonly inflight = new Map<string, Promise<string>>();
  /** Derivations running here, by table: a drop of the table aborts them and waits (policy-lifecycle.ts). */
  readonly flights = new DerivationsInFlight();
  /** Datasets this process derived (each a full read of a table version): what tests and the cost notes count. */
  written = 0;
  /** Each version's fields with Lance's own ids, from its manifest (kept per manifest: version-fields.ts). */
  readonly versionFields: LanceVersionFields;

  constructor(private readonly ctx: TableContext) {
    this.versionFields = new LanceVersionFields(ctx);
  }

  useDeriver(deriver: LancePolicyDeriver): void {
    this.deriver = deriver;
  }

  /** Started after a restricted read of a table managing its own versions, not awaited (maintenance/scheduler.ts cleanAfterRead); those running kept (tests). */
  afterRead: ((warehouse: RequestScope['warehouse'], record: CatalogObjectRecord, latest: number) => Promise<void>) | undefined;
  readonly cleanups = new Set<Promise<void>>();

  /**
   * The table's current columns for checking a policy (ERR_NOT_IMPLEMENTED without the library; ports LancePolicySchema).
   */
  async schemaOf(scope: RequestScope, record: CatalogObjectRecord): Promise<LancePolicySchema> {
    const deriver = await this.available();
    // A managed table only declared has no dataset yet, so no columns: the request's 422, not a failed read (503).
    if (await managedAwaitingFirstVersion(this.ctx.store.lanceVersions, record))
      throw new CatalogError('ERR_UNPROCESSABLE', `The Lance table could not be read (for its policies): ${record.name} is only declared, with no data yet`);
    const { columns, version } = await deriver.inspect(this.source(scope, record));
    checkCarried(columns);
    const narrow = new Map<number, string>();
    return { schema: lanceSchema(columns, narrow), narrow, nativeIds: nativeIdsByPath(await this.versionFields.of(scope, record, MAIN_BRANCH, version)) };
  }

  /**
   * What GET and list show a table's policies against (management/policy-admin.ts): the fields, with Lance's own ids, of
   * its latest main version (the catalog's record of a managed table, else the library's read of the dataset), through
   * the per-manifest cache, and that version's columns as a restricted read binds to them (undefined without the
   * library, when restricted reads are refused anyway). A managed table only declared has no version: schemaOf's 422.
   */
  async latestShape(scope: RequestScope, record: CatalogObjectRecord): Promise<LatestLanceShape> {
    let [latest, columns]: [number | undefined, LanceColumn[] | undefined] = [undefined, undefined];
    if (isManaged(record)) latest = (await this.ctx.store.lanceVersions.list(record.id, MAIN_BRANCH, { descending: true, limit: 1 }))[0]?.version;
    else ({ version: latest, columns } = await this.inspect(scope, record, this.source(scope, record), await this.available()));
    if (latest === undefined)
      throw new CatalogError('ERR_UNPROCESSABLE', `The Lance table could not be read (for its policies): ${record.name} is only declared, with no data yet`);
    if (columns === undefined && (await this.canDerive()))
      ({ columns } = await this.inspect(scope, record, { ...this.source(scope, record), version: latest }));
    return { fields: await this.versionFields.of(scope, record, MAIN_BRANCH, latest), columns };
  }

  /** The policy as it reads against `version` by Lance's own field ids (native-fields.ts); one recording none, as it is (by name). */
  private async followed(scope: RequestScope, record: CatalogObjectRecord, branch: string, version: number, policy: EffectivePolicy) {
    if (!policy.policies.some((p) => (p.lanceFields?.length ?? 0) > 0)) return policy;
    return followLance(policy, await this.versionFields.of(scope, record, branch, version));
  }

  /**
   * The derived dataset a restricted caller reads instead of the table, or undefined when no policy restricts it.
   * `vend`: whether to answer storage options (read-only, scoped to the derived prefix, in the caller's vending mode).
   */
  async forCaller(
    scope: RequestScope,
    id: LanceTableId,
    record: CatalogObjectRecord,
    path: Parameters<TableContext['access']['vendingMode']>[1],
    vend: boolean,
    version?: number | undefined,
    branch: string = MAIN_BRANCH,
  ): Promise<DerivedLanceRead | undefined> {
    const tenant = scope.warehouse.tenant;
    const applying = await this.ctx.policies.restricted(scope.caller, tenant, record.id);
    if (applying.length === 0) return undefined;
    const object = describeObject(scope.warehouse.name, id.namespace, id.name);
    // Fail closed where the derivation cannot run: the caller is refused, never handed the table.
    const policy = await this.ctx.policies.effective(scope.caller, tenant, record.id);
    if (this.deriver === undefined || policy.policyVersion === undefined || (await this.deriver.unavailable()) !== undefined) {
      await this.ctx.policies.refuse(scope.caller, tenant, record.id, object, 'table:read-data', 'lance-table');
      throw new CatalogError(
        'ERR_FORBIDDEN',
        `A row/column policy applies to ${object} for this caller, and policy-enforced Lance reads are not available here`,
      );
    }
    const prefix = derivedPrefix(record.location, policy.policyVersion);
    // A managed table's latest version is the catalog's (no storage read); a dataset managing its own is asked.
    const latest =
      version ?? (isManaged(record) ? (await this.ctx.store.lanceVersions.list(record.id, branch, { descending: true, limit: 1 }))[0]?.version : undefined);
    // Memory answers the latest version only: an older one's dataset may have been removed as superseded since
    // (maintenance/lance-policy-cleanup.ts), so an explicit read of it asks its side file (and derives it again when gone).
    const explicit = version !== undefined;
    const known =
      latest === undefined || explicit ? undefined : await this.remembered(scope, keyOf(scope, record, policy, branch, latest), prefix, branch, latest);
    let read: number;
    let dataset: string;
    if (known !== undefined && latest !== undefined) [read, dataset] = [latest, known];
    else {
      const source = { ...this.source(scope, record, branch), version: latest };
      const inspected = await this.inspect(scope, record, source).catch((e: unknown) => {
        // The deriver refused the table (a column it cannot read, added after the policies): fails closed, naming them.
        throw (e instanceof CatalogError && e.code === 'ERR_VALIDATION' ? uncarriedAtRead(policy.policies, undefined, e) : undefined) ?? e;
      });
      const uncarried = uncarriedAtRead(policy.policies, inspected.columns);
      if (uncarried !== undefined) throw uncarried;
      read = inspected.version;
      // Each column by Lance's own field id in the version read (native-fields.ts): renamed, followed; gone, the 422.
      const followed = await this.followed(scope, record, branch, read, policy);
      dataset = await this.derived(scope, record, prefix, followed, { ...source, version: read }, inspected.columns, explicit);
    }
    let storageOptions: Record<string, string> = {};
    const mode = vend ? await this.ctx.access.vendingMode(scope, path) : undefined;
    if (mode !== undefined) {
      // Read-only, whatever the caller may write: the derived dataset is the catalog's, and the prefix holds nothing else.
      const vended = await this.ctx.credentials.forTable({ scope, identifier: id, tableUuid: record.uuid, location: prefix, mode: 'read' });
      storageOptions = lanceStorageOptions(vended.config, refreshOffsetOf(scope.warehouse.properties));
    }
    await this.ctx.audit.record(scope.caller, {
      type: 'lance.policy-read',
      decision: 'allow',
      action: 'table:read-data',
      object,
      detail: {
        policies: policy.policies.map((p) => p.id),
        versions: policy.policies.map((p) => p.version),
        policyVersion: policy.policyVersion,
        ...(branch !== MAIN_BRANCH ? { branch } : {}),
        version: read,
        dataset,
      },
    });
    if (!explicit && branch === MAIN_BRANCH && !isManaged(record) && this.afterRead !== undefined) {
      const c: Promise<void> = this.afterRead(scope.warehouse, record, read)
        .catch(() => undefined)
        .finally(() => this.cleanups.delete(c));
      this.cleanups.add(c);
    }
    return { location: dataset, storageOptions };
  }

  /** The latest version of the table's dataset (main) as the library reads it, or undefined where it cannot run here (maintenance's cleanup). */
  async latestOf(scope: RequestScope, record: CatalogObjectRecord): Promise<number | undefined> {
    if (!(await this.canDerive())) return undefined;
    return (await this.deriver!.inspect(this.source(scope, record))).version;
  }

  /** Deletes what derivations that died before checking their table left behind (policy-recovery.ts): the housekeeping sweep's task. */
  recover(): Promise<DerivationRecovery> {
    return recoverDerivations(this.ctx);
  }

  /** Whether derivations can run here (the library attached and loading): the background preparation asks first. */
  async canDerive(): Promise<boolean> {
    return this.deriver !== undefined && (await this.deriver.unavailable()) === undefined;
  }

  /**
   * The dataset of the table's latest managed version for `policy`, found or derived ahead of the reads (policy-prepare.ts);
   * true when this call wrote it. A table whose dataset manages its versions is skipped (its latest is not the catalog's).
   */
  async prepare(scope: RequestScope, record: CatalogObjectRecord, policy: EffectivePolicy): Promise<boolean> {
    if (this.deriver === undefined || policy.policyVersion === undefined || !isManaged(record)) return false;
    const latest = (await this.ctx.store.lanceVersions.list(record.id, MAIN_BRANCH, { descending: true, limit: 1 }))[0]?.version;
    const prefix = derivedPrefix(record.location, policy.policyVersion);
    if (latest === undefined || (await this.remembered(scope, keyOf(scope, record, policy, MAIN_BRANCH, latest), prefix, MAIN_BRANCH, latest)) !== undefined)
      return false;
    const source = { ...this.source(scope, record), version: latest };
    const inspected = await this.deriver.inspect(source);
    const followed = await this.followed(scope, record, MAIN_BRANCH, latest, policy);
    let wrote = false;
    await this.derived(scope, record, prefix, followed, source, inspected.columns, false, () => (wrote = true));
    return wrote;
  }

  private async available(): Promise<LancePolicyDeriver> {
    const reason = this.deriver === undefined ? 'the Lance library is not attached' : await this.deriver.unavailable();
    if (reason !== undefined || this.deriver === undefined)
      throw new CatalogError('ERR_NOT_IMPLEMENTED', reason ?? 'Row-filter and column-mask policies on Lance tables need the Lance library');
    return this.deriver;
  }

  /** The table's version and columns; a table dropped (or replaced) meanwhile is a 404, not the library's failure to open it. */
  private async inspect(scope: RequestScope, record: CatalogObjectRecord, source: LanceSource, deriver = this.deriver!) {
    try {
      return await deriver.inspect(source);
    } catch (e) {
      if (!(await tableLives(this.ctx, scope.warehouse.name, record))) throw tableGone(describeObject(scope.warehouse.name, record.namespace, record.name));
      throw e;
    }
  }

  /**
   * After a derivation wrote (or failed writing): when its table is gone or another one now, deletes what it wrote
   * (`side`: its side file, when it wrote one) and fails ERR_TABLE_NOT_FOUND, whatever the derivation's outcome.
   */
  private async leftBehind(scope: RequestScope, record: CatalogObjectRecord, storage: ObjectStorage, dataset: string, side: string | undefined) {
    if (await tableLives(this.ctx, scope.warehouse.name, record)) return;
    await discardDerived(storage, dataset, side);
    throw tableGone(describeObject(scope.warehouse.name, record.namespace, record.name));
  }

  /** The dataset remembered for the key, its side file asked again once KNOWN_RECHECK_MS old (the cleanup may have retired it: lance-policy-cleanup.ts). */
  private async remembered(scope: RequestScope, key: string, prefix: string, branch: string, version: number): Promise<string | undefined> {
    const entry = this.known.get(key);
    if (entry === undefined) return undefined;
    const now = this.ctx.clock.now();
    if (now - entry.atMs < KNOWN_RECHECK_MS) return entry.dataset;
    const storage = await this.ctx.storageFor(scope.warehouse);
    // Unreadable or naming another: found again (or derived) by the full path.
    const named = await recordedIn(storage, prefix, `${prefix}${derivedStem(branch, version)}.json`).catch(() => undefined);
    if (named !== entry.dataset) return void this.known.delete(key);
    this.known.set(key, { dataset: entry.dataset, atMs: now });
    return entry.dataset;
  }

  private source(scope: RequestScope, record: CatalogObjectRecord, branch: string = MAIN_BRANCH): LanceSource {
    const source = { warehouse: scope.warehouse.name, namespace: [...record.namespace], name: record.name, reader: derivationCaller(scope.caller) };
    return branch === MAIN_BRANCH ? source : { ...source, branch };
  }

  /** The derived dataset's location: found (this process, the side file) or written once under a claim. */
  private async derived(
    scope: RequestScope,
    record: CatalogObjectRecord,
    prefix: string,
    policy: EffectivePolicy,
    source: LanceSource & { version: number },
    columns: readonly LanceColumn[],
    explicit: boolean,
    wrote?: () => void,
  ): Promise<string> {
    const branch = source.branch ?? MAIN_BRANCH;
    const key = keyOf(scope, record, policy, branch, source.version);
    const stem = derivedStem(branch, source.version);
    const kept = explicit ? undefined : await this.remembered(scope, key, prefix, branch, source.version);
    if (kept !== undefined) return kept;
    const storage = await this.ctx.storageFor(scope.warehouse);
    const side = `${prefix}${stem}.json`;
    const recorded = () => recordedIn(storage, prefix, side);
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const derivation = this.ctx.coherence.claim(key, async () => {
      const found = await recorded();
      if (found !== undefined) return found;
      const rowPolicy = bindPolicy(policy, columns);
      const name = `${stem}-${this.ctx.newUuid()}`;
      const directory = prefix.replace(/\/+$/, '');
      const dataset = `${prefix}${name}.lance`;
      // Write access to the derived prefix only, vended to the catalog's derivation caller (audited as such).
      const writer = { ...scope, caller: source.reader };
      const vended = await this.ctx.credentials.forTable({
        scope: writer,
        identifier: { namespace: record.namespace, name: record.name },
        tableUuid: record.uuid,
        location: prefix,
        mode: 'read-write',
      });
      // Recorded before any file is written, removed once the table was checked (and its files deleted, the table gone):
      // a process dying in between leaves it for the housekeeping sweep (policy-recovery.ts).
      const intent = { id: this.ctx.newUuid(), warehouse: scope.warehouse.name, tableId: record.id, tableUuid: record.uuid, tableLocation: record.location };
      await this.ctx.store.derivationIntents.add({ ...intent, dataset, side, createdAtMs: this.ctx.clock.now() });
      const checked = async (own: string | undefined) => {
        try {
          await this.leftBehind(scope, record, storage, dataset, own);
        } catch (e) {
          // Gone, and what it wrote deleted: the intent has no more to tell. Any other failure leaves it to the sweep.
          if (e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND') await this.ctx.store.derivationIntents.remove(intent.id);
          throw e;
        }
        // The table lives: a dataset its side file names is the table's now; one no side file names (a failed
        // derivation's, a lost race's copy) is nobody's answer, and goes now (a failure to delete it leaves the intent).
        if (own === undefined) await discardDerived(storage, dataset, undefined);
        await this.ctx.store.derivationIntents.remove(intent.id);
      };
      // Registered while it runs, so a drop of the table here aborts it and waits (policy-lifecycle.ts).
      return this.flights.run(record.uuid, async (signal) => {
        let answer: string;
        let ownSide: string | undefined;
        try {
          const target = { directory, name, storageOptions: lanceStorageOptions(vended.config) };
          const { rows } = await this.deriver!.derive(source, target, rowPolicy, signal);
          this.written += 1;
          try {
            // The policies it applies, each with its version: maintenance tells a superseded dataset by them (maintenance/lance-policy-cleanup.ts).
            const policies = policy.policies.map((p) => ({ id: p.id, version: p.version }));
            const recorded = { dataset: name, rows, version: source.version, ...(branch !== MAIN_BRANCH ? { branch } : {}), policies };
            await storage.writeNew(side, new TextEncoder().encode(stringifyJson(recorded)));
            ownSide = side;
            answer = dataset;
          } catch (e) {
            // Another derivation recorded its dataset first (a lapsed claim): that one is the answer; this copy is an orphan.
            const winner = await recorded();
            if (winner === undefined) throw e;
            answer = winner;
          }
        } catch (e) {
          // Failed (aborted by a drop among others): what it wrote goes with it; the table gone, its readers get the 404.
          try {
            await checked(undefined);
          } catch (gone) {
            if (gone instanceof CatalogError && gone.code === 'ERR_TABLE_NOT_FOUND') throw gone;
          }
          throw e;
        }
        // Written: only now is the table asked whether it is still the one read (policy-lifecycle.ts).
        await checked(ownSide);
        if (ownSide !== undefined) wrote?.();
        return answer;
      });
    });
    this.inflight.set(key, derivation);
    let location: string;
    try {
      location = await derivation;
    } finally {
      this.inflight.delete(key);
    }
    this.known.set(key, { dataset: location, atMs: this.ctx.clock.now() });
    return location;
  }
}

/** The dataset a side file names, or undefined when there is none. */
async function recordedIn(storage: ObjectStorage, prefix: string, side: string): Promise<string | undefined> {
  if (!(await storage.exists(side))) return undefined;
  const { dataset } = parseJson(new TextDecoder().decode(await storage.read(side, SIDE_MAX_BYTES))) as { dataset: string };
  return `${prefix}${dataset}.lance`;
}

const keyOf = (scope: RequestScope, record: CatalogObjectRecord, policy: EffectivePolicy, branch: string, version: number) =>
  `lance-policy\u0000${scope.warehouse.name}\u0000${record.uuid}\u0000${policy.policyVersion}\u0000${branch === MAIN_BRANCH ? '' : `${branch}\u0000`}${version}`;

/**
 * The name of a version's side file (`<stem>.json`) and the start of its dataset's (`<stem>-<uuid>.lance`): main's
 * `lance-v<N>`, a branch's `lance-b<the branch name's UTF-8 in hex>-v<N>` (a branch's versions are numbered on from
 * its parent's, so the branch keeps them apart; hex: any branch name, in object-key-safe characters).
 */
export function derivedStem(branch: string, version: number): string {
  return branch === MAIN_BRANCH ? `lance-v${version}` : `lance-b${Buffer.from(branch, 'utf8').toString('hex')}-v${version}`;
}
