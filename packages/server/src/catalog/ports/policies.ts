/**
 * Row-filter and column-mask policies (issue 53): what a role may see of a table's (or a view's) rows and columns,
 * kept in the catalog database. A policy names its table or view by catalog id (a rename keeps it; a dropped and
 * re-created one starts with none) and its roles by name in the table's tenant. Every change raises the policy's version, so what an
 * engine was told can be matched against what holds now.
 */
import { POLICY_MASK_ACTIONS } from '@lakegate/protocol';
import type { OutboxEventInput, OutboxWriter } from './outbox.js';

export type PolicyKind = 'row-filter' | 'column-mask';

/** The read-restriction actions of the Iceberg REST proposal (apache/iceberg#13879): the wire model's one list. */
export const MASK_ACTIONS = POLICY_MASK_ACTIONS;
export type MaskAction = (typeof MASK_ACTIONS)[number];

export interface ColumnMask {
  /** The column's field id (names change, ids do not). */
  fieldId: number;
  /** Its name when the policy was last written, for people reading it. */
  column: string;
  action: MaskAction;
  /** mask-to-fixed-value only: the value shown instead (the column's type, as the spec's single-value JSON). */
  value?: unknown;
}

/** A row filter's term as written, and the field id it names. */
export interface FilterTerm {
  term: string;
  fieldId: number;
}

/** A column a Lance table's policy names (its dotted path when written) and Lance's own field id of it (lance/native-fields.ts). */
export interface LanceFieldRef {
  column: string;
  id: number;
}

export interface Policy {
  id: string;
  tenant: string;
  warehouse: string;
  /** The table's or view's catalog id (CatalogObjectRecord.id). */
  objectId: string;
  kind: PolicyKind;
  /** Role names of the tenant the policy restricts. */
  roles: string[];
  /** row-filter: the rows the roles may read, an Iceberg REST expression (JSON) bound by column name. */
  filter?: unknown;
  /** row-filter: the field ids the filter referred to when it was validated. */
  fieldIds?: number[];
  /**
   * row-filter: each distinct term of the filter (as written) and its field id, so the filter follows the schema by
   * field id (policies/follow.ts). Absent on policies stored before 2026-11-29, which follow.ts resolves lazily.
   */
  filterTerms?: FilterTerm[];
  /** column-mask: one mask per column. */
  masks?: ColumnMask[];
  /**
   * On a Lance table: each column the policy names with Lance's own field id of it in the version it was checked
   * against, so it follows renames and never takes a column added again under its name (lance/native-fields.ts).
   * Absent on Lance policies stored before 2026-11-29 (bound by name) and on every other object's.
   */
  lanceFields?: LanceFieldRef[];
  description?: string;
  /** 1 when created, +1 on every update. */
  version: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** A table with at least one policy: its tenant, warehouse name and catalog id. */
export interface PolicyTable {
  tenant: string;
  warehouse: string;
  objectId: string;
}

/** Where policies are kept: the catalog database (persistence/kysely-policies.ts), or memory (tests). */
export interface PolicyStore {
  get(tenant: string, id: string): Promise<Policy | undefined>;
  /** Every policy on the table, oldest first. */
  listForObject(tenant: string, objectId: string): Promise<Policy[]>;
  /**
   * The tables (and views: callers keep the kind they want) with at least one policy, across tenants and warehouses, each once, in (tenant, objectId) order: at
   * most `limit` of them, those after `after` (the last of the previous page). Read in pages by the startup catch-up
   * of policy-enforced files (catalog/planning/prepare-policy-files.ts).
   */
  listTables(limit: number, after?: Pick<PolicyTable, 'tenant' | 'objectId'>): Promise<PolicyTable[]>;
  /** Of the tenant's objects `objectIds` (at most a page of them, ~500), those with at least one policy: one read (the maintenance scheduler's). */
  withPolicies(tenant: string, objectIds: readonly string[]): Promise<Set<string>>;
  /** Inserts a new policy (version 1); `events` commit with it. */
  insert(policy: Policy, events?: readonly OutboxEventInput[]): Promise<void>;
  /**
   * Replaces the policy if its stored version is `expectedVersion` (compare-and-swap); false when it moved or is
   * gone. `events` commit with it.
   */
  update(policy: Policy, expectedVersion: number, events?: readonly OutboxEventInput[]): Promise<boolean>;
  /** Deletes it; false when there was none. `events` commit with it. */
  delete(tenant: string, id: string, events?: readonly OutboxEventInput[]): Promise<boolean>;
}

const copy = (p: Policy): Policy => structuredClone(p);

/** The in-memory PolicyStore. */
export class MemoryPolicies implements PolicyStore {
  private readonly policies = new Map<string, Policy>();

  /** @param outbox where the changes' events go (the memory outbox the tests read). */
  constructor(private readonly outbox?: OutboxWriter) {}

  async get(tenant: string, id: string): Promise<Policy | undefined> {
    const p = this.policies.get(id);
    return p && p.tenant === tenant ? copy(p) : undefined;
  }

  async listForObject(tenant: string, objectId: string): Promise<Policy[]> {
    return [...this.policies.values()]
      .filter((p) => p.tenant === tenant && p.objectId === objectId)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async listTables(limit: number, after?: Pick<PolicyTable, 'tenant' | 'objectId'>): Promise<PolicyTable[]> {
    const key = (t: Pick<PolicyTable, 'tenant' | 'objectId'>) => [t.tenant, t.objectId] as const;
    const before = (a: Pick<PolicyTable, 'tenant' | 'objectId'>, b: Pick<PolicyTable, 'tenant' | 'objectId'>) => {
      const [x, y] = [key(a), key(b)];
      return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
    };
    const tables = new Map<string, PolicyTable>();
    for (const p of this.policies.values()) tables.set(`${p.tenant}\u0000${p.objectId}`, { tenant: p.tenant, warehouse: p.warehouse, objectId: p.objectId });
    return [...tables.values()]
      .filter((t) => after === undefined || before(after, t))
      .sort((a, b) => (before(a, b) ? -1 : 1))
      .slice(0, limit);
  }

  async withPolicies(tenant: string, objectIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(objectIds);
    return new Set([...this.policies.values()].filter((p) => p.tenant === tenant && wanted.has(p.objectId)).map((p) => p.objectId));
  }

  async insert(policy: Policy, events: readonly OutboxEventInput[] = []): Promise<void> {
    if (this.policies.has(policy.id)) throw new Error(`policy ${policy.id} exists`);
    this.policies.set(policy.id, copy(policy));
    if (events.length > 0) await this.outbox?.appendEvents(events);
  }

  async update(policy: Policy, expectedVersion: number, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    const current = this.policies.get(policy.id);
    if (!current || current.tenant !== policy.tenant || current.version !== expectedVersion) return false;
    this.policies.set(policy.id, copy(policy));
    if (events.length > 0) await this.outbox?.appendEvents(events);
    return true;
  }

  async delete(tenant: string, id: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    const current = this.policies.get(id);
    if (!current || current.tenant !== tenant) return false;
    this.policies.delete(id);
    if (events.length > 0) await this.outbox?.appendEvents(events);
    return true;
  }
}

/** What the policies that apply to a caller on a table add up to (computed by catalog/policies/effective.ts). */
export interface EffectivePolicy {
  /** The policies that apply to the caller on the table, oldest first. */
  policies: Policy[];
  /** The rows the caller may read (an Iceberg REST expression), undefined when no row filter applies. */
  rowFilter?: unknown;
  /** One mask per masked column. */
  masks: ColumnMask[];
  /** Changes whenever any applying policy changes, is added or removed (undefined when none applies). */
  policyVersion?: string;
}
