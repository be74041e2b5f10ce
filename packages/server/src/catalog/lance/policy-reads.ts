/**
 * Row-filter and column-mask policies on Lance tables (issue 53 on the Lance protocol). A Lance reader opens the
 * dataset's files itself with the storage access DescribeTable vends, so no plan stands between it and the rows: a
 * caller a policy restricts is answered with a **policy-derived dataset** instead, which the catalog writes from the
 * table (LancePolicyDeriver port: only the rows the effective row filter admits, the masked columns masked with the
 * Iceberg path's mask functions) and answers with that dataset's location and read-only storage access scoped to it.
 * The caller never receives the table's own location's credentials.
 *
 *  - The derived datasets (where they are written, found and remembered, each written once): policy-derivations.ts.
 *  - The policy's columns are found by Lance's own field ids in the version read (native-fields.ts: a rename is
 *    followed, a column dropped or added again fails the read, 422), then bound by name against the dataset's schema
 *    there (field id = column position + 1): a masked or filtered column that is gone fails the read (422), never an
 *    unmasked answer. A policy stored before it recorded Lance's ids is bound by name only.
 *  - Without the Lance library the restricted caller is refused (403, as every other hand-out of storage access to a
 *    restricted caller is), never given the table.
 *  - The answer has no `managed_versioning`: the derived dataset keeps its own versions, which its reader reads.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { TableContext } from '../kit/table-kit.js';
import type { Schema } from '../metadata/types.js';
import type { RequestScope } from '../context.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LanceColumn, LancePolicyDeriver, LancePolicySchema, LanceSource } from '../ports/lance-policy.js';
import type { EffectivePolicy } from '../policies/effective.js';
import { derivedPrefix } from '../policies/derived-location.js';
import { lanceStorageOptions, refreshOffsetOf } from './storage-options.js';
import type { LanceTableId } from './table-id.js';
import { isManaged, managedAwaitingFirstVersion } from './managed.js';
import { derivationCaller, tableGone, tableLives } from './policy-lifecycle.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import { bindPolicy, checkCarried, lanceSchema, uncarriedAtRead } from './policy-columns.js';
import { LanceDerivations } from './policy-derivations.js';
import { type DerivationRecovery, recoverDerivations } from './policy-recovery.js';
import { followLance, type LatestLanceShape, nativeIdsByPath } from './native-fields.js';
import { LanceVersionFields } from './version-fields.js';

export { bindPolicy, derivationCaller, lanceSchema };

/** What DescribeTable answers a restricted caller: the derived dataset and storage access to it only. */
export interface DerivedLanceRead {
  location: string;
  storageOptions: Record<string, string>;
}

export class LancePolicyReads {
  private deriver: LancePolicyDeriver | undefined;
  /** The derived datasets: found, remembered, or written once (policy-derivations.ts). */
  private readonly derivations: LanceDerivations;
  /** Each version's fields with Lance's own ids, from its manifest (kept per manifest: version-fields.ts). */
  readonly versionFields: LanceVersionFields;

  constructor(private readonly ctx: TableContext) {
    this.versionFields = new LanceVersionFields(ctx);
    this.derivations = new LanceDerivations(ctx);
  }

  /** Derivations running here, by table: a drop of the table aborts them and waits (policy-lifecycle.ts). */
  get flights() {
    return this.derivations.flights;
  }

  /** Datasets this process derived (each a full read of a table version): what tests and the cost notes count. */
  get written(): number {
    return this.derivations.written;
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
    const known = latest === undefined || explicit ? undefined : await this.derivations.remembered(scope, record, policy, prefix, branch, latest);
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
      dataset = await this.derivations.derived(this.deriver, scope, record, prefix, followed, { ...source, version: read }, inspected.columns, explicit);
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
    if (latest === undefined || (await this.derivations.remembered(scope, record, policy, prefix, MAIN_BRANCH, latest)) !== undefined) return false;
    const source = { ...this.source(scope, record), version: latest };
    const inspected = await this.deriver.inspect(source);
    // A column the derived dataset cannot carry: left to the read, which refuses it naming the column (before
    // 2026-11-29 a fixed-size list of structs, all null so far, was derived here and then handed out by the read).
    if (uncarriedAtRead(policy.policies, inspected.columns) !== undefined) return false;
    const followed = await this.followed(scope, record, MAIN_BRANCH, latest, policy);
    let wrote = false;
    await this.derivations.derived(this.deriver, scope, record, prefix, followed, source, inspected.columns, false, () => (wrote = true));
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

  private source(scope: RequestScope, record: CatalogObjectRecord, branch: string = MAIN_BRANCH): LanceSource {
    const source = { warehouse: scope.warehouse.name, namespace: [...record.namespace], name: record.name, reader: derivationCaller(scope.caller) };
    return branch === MAIN_BRANCH ? source : { ...source, branch };
  }
}
