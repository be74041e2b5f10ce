/**
 * Fail-closed enforcement of row-filter and column-mask policies (issue 53) outside the scan plan: a caller any
 * policy applies to on a table gets the table's metadata but no table-wide storage access — no vended credentials,
 * no remote signing of the table's files — so no engine can read around the policy. It reads through server-side
 * planning, which hands out policy-enforced files (catalog/planning/restricted.ts). Every table operation that hands
 * out storage access asks `refuse` (or `restricted`, `effective`) first.
 *
 * An enforcer (ports/enforcers.ts, issue 54) acting for a user is the exception: a delegated call whose nearest actor
 * is a principal declared to enforce the warehouse's policies itself is not restricted here (it is told the user's
 * policies through the OPA decision endpoints or read-restrictions), and each such pass is audited as
 * `policy.engine-enforced` with the user and the engine.
 *
 * The policies on a table are read through a cache of `cacheTtlMs` (the authorization cache's bound): a change here
 * drops this process's copy and announces it to the other processes of the server (Coherence topic `policies`);
 * replicas on other machines see it within the bound, as they see a revoked grant.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { AccessAudit, Caller, Clock, Coherence, PolicyEnforcement } from '../ports/index.js';
import { TtlCache } from '../ttl-cache.js';
import { type EffectivePolicy, UNRESTRICTED, applyingTo, combine, holdsNoRoles } from './effective.js';
import { followEffective } from './follow.js';
import type { Schema } from '../metadata/types.js';
import type { Policy, PolicyStore } from '../ports/policies.js';
import type { EnforcerMechanism, EnforcerStore, PolicyEnforcer } from '../ports/enforcers.js';

/** What a refusal names: a table's storage access, a view, or a Lance table's read (catalog/lance/policy-reads.ts). */
export type RefusedKind = 'table' | 'view' | 'lance-table';

/** The enforcers told a view's policies: Trino through the OPA endpoints (loadView carries no read-restrictions). */
const VIEW_ENFORCING: readonly EnforcerMechanism[] = ['trino-opa'];

export interface PolicyGateDeps {
  policies: () => PolicyStore;
  enforcers: () => EnforcerStore;
  /** The roles the members hold in the tenant (AccessDecisions.rolesOf: cached, with the decisions' revocation bound). */
  rolesOf: (tenant: string, members: Caller['members']) => Promise<readonly string[]>;
  audit: AccessAudit;
  clock: Clock;
  cacheTtlMs: number;
  coherence?: Coherence | undefined;
}

const keyOf = (tenant: string, objectId: string) => `${tenant}\u0000${objectId}`;

export class PolicyGate implements PolicyEnforcement {
  private readonly onTable: TtlCache<readonly Policy[]>;
  private readonly declared: TtlCache<readonly PolicyEnforcer[]>;

  constructor(private readonly deps: PolicyGateDeps) {
    this.onTable = new TtlCache(deps.cacheTtlMs, () => deps.clock.now(), 100_000, { secondSighting: true });
    this.declared = new TtlCache(deps.cacheTtlMs, () => deps.clock.now(), 10_000);
    deps.coherence?.on('policies', () => {
      this.onTable.clear();
      this.declared.clear();
    });
  }

  /** After a change of a table's policies or of the enforcers: this process forgets them, and tells the others. */
  changed(): void {
    this.onTable.clear();
    this.declared.clear();
    this.deps.coherence?.announce('policies');
  }

  /** The warehouses a principal is declared to enforce policies of, in its tenant (cached like the policies). */
  async enforcerDeclarations(tenant: string, clientId: string): Promise<readonly PolicyEnforcer[]> {
    const key = keyOf(tenant, clientId);
    const kept = this.declared.get(key);
    if (kept !== undefined) return kept;
    const generation = this.declared.generation;
    const read = Object.freeze(await this.deps.enforcers().listForPrincipal(tenant, clientId));
    this.declared.set(key, read, generation);
    return read;
  }

  /** The enforcer a delegated caller acts through, when its nearest actor is one for the warehouse. */
  async enforcerFor(caller: Caller, tenant: string, warehouse: string): Promise<PolicyEnforcer | undefined> {
    const engine = caller.act?.[0];
    if (engine === undefined) return undefined;
    return (await this.enforcerDeclarations(tenant, engine)).find((e) => e.warehouse === warehouse);
  }

  /** Every policy on the table (cached, see the opening comment). */
  async policiesOn(tenant: string, objectId: string): Promise<readonly Policy[]> {
    const key = keyOf(tenant, objectId);
    const kept = this.onTable.get(key);
    if (kept !== undefined) return kept;
    const generation = this.onTable.generation;
    const read = Object.freeze(await this.deps.policies().listForObject(tenant, objectId));
    this.onTable.set(key, read, generation);
    return read;
  }

  /**
   * Without a promise, for the sign path's cached answer: true only when the cache knows the table has no policy at
   * all. False means "ask restricted()".
   */
  knownFreeSync(tenant: string, objectId: string): boolean {
    return this.onTable.get(keyOf(tenant, objectId))?.length === 0;
  }

  /**
   * What the policies on the table add up to for this caller; with `schemas` (the current first), as they read
   * against the current schema, by field id (follow.ts: a policy that cannot is a 403 naming it).
   */
  async effective(caller: Caller, tenant: string, objectId: string, schemas?: readonly Schema[]): Promise<EffectivePolicy> {
    const onTable = await this.policiesOn(tenant, objectId);
    // A catalog-run job (ports/index.ts Caller.catalogJob) reads for the catalog, never for a reader: no policy applies.
    if (onTable.length === 0 || holdsNoRoles(caller) || caller.catalogJob === true) return UNRESTRICTED;
    const combined = combine(applyingTo(onTable, await this.deps.rolesOf(tenant, caller.members)));
    return schemas === undefined ? combined : followEffective(combined, schemas);
  }

  /**
   * The policies that apply to the caller on the table or view ([] for almost every object: one cached read, no role
   * lookup). `action` names what a declared enforcer's pass lets through, in its audit record; `toldBy` the enforcer
   * mechanisms that tell an engine these policies (undefined: every one).
   */
  async restricted(
    caller: Caller,
    tenant: string,
    objectId: string,
    action = 'table:storage-access',
    toldBy?: readonly EnforcerMechanism[],
  ): Promise<Policy[]> {
    const applying = (await this.effective(caller, tenant, objectId)).policies;
    if (applying.length === 0) return applying;
    const engine = await this.enforcerFor(caller, tenant, applying[0]!.warehouse);
    if (engine === undefined || (toldBy !== undefined && !toldBy.includes(engine.mechanism))) return applying;
    await this.deps.audit.record(caller, {
      type: 'policy.engine-enforced',
      decision: 'allow',
      action,
      object: `${engine.warehouse}/${objectId}`,
      detail: {
        user: caller.description,
        engine: engine.clientId,
        mechanism: engine.mechanism,
        policies: applying.map((p) => p.id),
        versions: applying.map((p) => p.version),
      },
    });
    return [];
  }

  /**
   * loadTable's read-restrictions (apache/iceberg#13879) for a caller acting through a declared `read-restrictions`
   * enforcer of the table's warehouse: the effective row filter (the spec's Expression, in the current names of the
   * field ids the policies wrote, follow.ts) and one column projection per masked column (by field id). Undefined for
   * anyone else, and when nothing applies.
   */
  async readRestrictions(caller: Caller, tenant: string, objectId: string, schemas: () => readonly Schema[]): Promise<Record<string, unknown> | undefined> {
    const applying = await this.effective(caller, tenant, objectId);
    if (applying.policies.length === 0) return undefined;
    const engine = await this.enforcerFor(caller, tenant, applying.policies[0]!.warehouse);
    if (engine?.mechanism !== 'read-restrictions') return undefined;
    const effective = followEffective(applying, schemas());
    const projections = effective.masks.map((m) => ({ 'field-id': m.fieldId, action: m.action, ...(m.value !== undefined ? { value: m.value } : {}) }));
    return {
      ...(effective.rowFilter !== undefined ? { 'required-row-filter': effective.rowFilter } : {}),
      ...(projections.length > 0 ? { 'required-column-projections': projections } : {}),
    };
  }

  /**
   * Refuses (403, audited as `policy.enforced`) an operation that would hand the caller storage access to the table
   * while a policy applies to it, or (`kind` view) the view itself: the catalog cannot enforce a policy inside a
   * view's SQL that an engine runs, so only a declared enforcer acting for the user is given a restricted view, and
   * only one told the view's policies: a trino-opa enforcer (loadView carries no read-restrictions).
   */
  async refuse(caller: Caller, tenant: string, objectId: string, object: string, action: string, kind: RefusedKind = 'table'): Promise<void> {
    const applying =
      kind === 'view'
        ? await this.restricted(caller, tenant, objectId, action, VIEW_ENFORCING)
        : await this.restricted(caller, tenant, objectId, 'table:storage-access');
    if (applying.length === 0) return;
    throw await this.refusal(caller, applying, object, action, kind);
  }

  /** The audited refusal naming the policies. */
  async refusal(caller: Caller, applying: readonly Policy[], object: string, action: string, kind: RefusedKind = 'table'): Promise<CatalogError> {
    const ids = applying.map((p) => p.id);
    await this.deps.audit.record(caller, {
      type: 'policy.enforced',
      decision: 'deny',
      action,
      object,
      detail: { policies: ids, versions: applying.map((p) => p.version) },
    });
    const named = ids.length === 1 ? `row/column policy ${ids[0]} applies` : `row/column policies ${ids.join(', ')} apply`;
    const how =
      kind === 'view'
        ? "the catalog cannot enforce it inside the view's SQL, so the view is handed out only to a declared policy enforcer acting for this caller"
        : kind === 'lance-table'
          ? 'it reads a Lance table through a policy-derived dataset, which this server cannot answer for this read (docs/authorization.md); no storage access to the table is handed out'
          : 'it reads the table through server-side planning (scan-planning-mode=server), which hands out policy-enforced files; no table-wide storage access is handed out';
    return new CatalogError('ERR_FORBIDDEN', `${named} to ${object} for this caller: ${how}`, { details: { policies: ids.join(',') } });
  }
}
