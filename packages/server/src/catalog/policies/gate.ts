/**
 * Fail-closed enforcement of row-filter and column-mask policies (issue 53), until policy-enforced reads exist: a
 * caller any policy applies to on a table gets the table's metadata but no table-wide storage access — no vended
 * credentials, no remote signing, no scan plan — so no engine can read around the policy. Every table operation
 * that hands out storage access asks `refuse` (or `restricted`) first.
 *
 * The policies on a table are read through a cache of `cacheTtlMs` (the authorization cache's bound): a change here
 * drops this process's copy and announces it to the other processes of the server (Coherence topic `policies`);
 * replicas on other machines see it within the bound, as they see a revoked grant.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { AccessAudit, Caller, Clock, Coherence, PolicyEnforcement } from '../ports/index.js';
import { TtlCache } from '../ttl-cache.js';
import { type EffectivePolicy, UNRESTRICTED, applyingTo, combine, holdsNoRoles } from './effective.js';
import type { Policy, PolicyStore } from '../ports/policies.js';

export interface PolicyGateDeps {
  policies: () => PolicyStore;
  /** The roles the members hold in the tenant (AccessControl.rolesOf). */
  rolesOf: (tenant: string, members: Caller['members']) => Promise<string[]>;
  audit: AccessAudit;
  clock: Clock;
  cacheTtlMs: number;
  coherence?: Coherence | undefined;
}

const keyOf = (tenant: string, objectId: string) => `${tenant}\u0000${objectId}`;

export class PolicyGate implements PolicyEnforcement {
  private readonly onTable: TtlCache<readonly Policy[]>;

  constructor(private readonly deps: PolicyGateDeps) {
    this.onTable = new TtlCache(deps.cacheTtlMs, () => deps.clock.now(), 100_000, { secondSighting: true });
    deps.coherence?.on('policies', () => this.onTable.clear());
  }

  /** After a change of a table's policies: this process forgets them, and tells the others. */
  changed(): void {
    this.onTable.clear();
    this.deps.coherence?.announce('policies');
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

  /** What the policies on the table add up to for this caller. */
  async effective(caller: Caller, tenant: string, objectId: string): Promise<EffectivePolicy> {
    const onTable = await this.policiesOn(tenant, objectId);
    if (onTable.length === 0 || holdsNoRoles(caller)) return UNRESTRICTED;
    return combine(applyingTo(onTable, await this.deps.rolesOf(tenant, caller.members)));
  }

  /** The policies that apply to the caller on the table ([] for almost every table: one cached read, no role lookup). */
  async restricted(caller: Caller, tenant: string, objectId: string): Promise<Policy[]> {
    return (await this.effective(caller, tenant, objectId)).policies;
  }

  /**
   * Refuses (403, audited as `policy.enforced`) an operation that would hand the caller storage access to the table
   * while a policy applies to it.
   */
  async refuse(caller: Caller, tenant: string, objectId: string, object: string, action: string): Promise<void> {
    const applying = await this.restricted(caller, tenant, objectId);
    if (applying.length === 0) return;
    throw await this.refusal(caller, applying, object, action);
  }

  /** The audited refusal naming the policies. */
  async refusal(caller: Caller, applying: readonly Policy[], object: string, action: string): Promise<CatalogError> {
    const ids = applying.map((p) => p.id);
    await this.deps.audit.record(caller, { type: 'policy.enforced', decision: 'deny', action, object, detail: { policies: ids, versions: applying.map((p) => p.version) } });
    const named = ids.length === 1 ? `row/column policy ${ids[0]} applies` : `row/column policies ${ids.join(', ')} apply`;
    return new CatalogError('ERR_FORBIDDEN', `${named} to ${object} for this caller; policy-enforced reads are not available yet, so no storage access to its files is handed out`, { details: { policies: ids.join(',') } });
  }
}
