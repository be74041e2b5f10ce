/**
 * Row-filter and column-mask policies through the management API (issue 53; the model and enforcement: catalog/policies/): list, get, create, update, delete,
 * and the caller's effective policy, on a table or (issue 53's "views where it makes sense") a view, over the view's
 * schema. Managing an object's policies needs `grants:manage` on it (held or inherited):
 * a policy narrows what a grant gives, so whoever may grant there decides it. Each method runs validate → authorize
 * → execute; the checks that need the table's schema run after authorization (the schema is not shown to a caller
 * who may not manage the table). Each change is audited and recorded as an outbox change event in the same
 * transaction, and dropped from the enforcement cache here and in the server's other processes (gate.ts).
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import { ADMIN_ROLE_NAME, type AccessControl } from '../ports/access.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import { lanceFieldsOf, type LatestLanceShape } from '../lance/native-fields.js';
import { checkMasksBindable, checkNarrowMasks } from '../lance/policy-columns.js';
import { LANCE_TABLE } from '../lance/table-id.js';
import type { Privilege } from '../privileges.js';
import { type Change, changeEvent } from '../outbox/changes.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LancePolicySchema } from '../ports/lance-policy.js';
import { requireTable, tableObject } from '../kit/table-kit.js';
import { requireView } from '../kit/view-kit.js';
import type { EffectivePolicy } from '../policies/effective.js';
import { currentSchema } from '../policies/object-schema.js';
import type { PolicyGate } from '../policies/gate.js';
import type { ColumnMask, Policy, PolicyKind, PolicyStore } from '../ports/policies.js';
import { type MaskInput, checkMasks, checkRowFilter } from '../policies/rules.js';
import { filterTermsOf, schemasOf } from '../policies/follow.js';
import { type Shown, current, lanceShown, schemasFor } from './policy-status.js';

/** The request bodies as the protocol package declares them (CreatePolicyRequest, UpdatePolicyRequest). */
export interface PolicyInput {
  kind?: PolicyKind;
  roles: string[];
  filter?: unknown;
  masks?: MaskInput[];
  description?: string;
  version?: number;
}

/** What carries policies: a table or a view. */
export type PolicyObjectKind = 'table' | 'view';

/** The object a request addresses: its kind, namespace and name (the route's path). */
export interface PolicyTarget {
  kind: PolicyObjectKind;
  namespace: string[];
  name: string;
}

export interface PolicyView {
  id: string;
  kind: PolicyKind;
  /** The object the policy restricts (a table or, with `object-type` view, a view). */
  table: { warehouse: string; namespace: string[]; name: string };
  'object-type': PolicyObjectKind;
  roles: string[];
  filter?: unknown;
  'field-ids'?: number[];
  masks?: MaskView[];
  description?: string;
  /** Whether it applies to the object's current schema (policies/follow.ts; a Lance table's latest version: lance/native-fields.ts). */
  status?: 'enforced' | 'unusable';
  reason?: string;
  version: number;
  'created-at-ms': number;
  'updated-at-ms': number;
}

interface MaskView {
  'field-id': number;
  column: string;
  action: ColumnMask['action'];
  value?: unknown;
}

export interface EffectiveView {
  restricted: boolean;
  'row-filter'?: unknown;
  masks: MaskView[];
  'policy-version'?: string;
  policies: Array<{ id: string; kind: PolicyKind; version: number; roles: string[] }>;
  summary: string;
}

const POLICY_ID = /^[A-Za-z0-9-]{1,64}$/;

export class PolicyAdmin {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly gate: PolicyGate,
    private readonly control: Pick<AccessControl, 'getRole'>,
    /** A Lance table's current columns as a schema (read from its dataset: catalog/lance/policy-reads.ts), and Lance's own field id of each path. */
    private readonly lanceSchema?: (scope: RequestScope, record: CatalogObjectRecord) => Promise<LancePolicySchema>,
    /** A Lance table's latest version's fields with Lance's own ids, and its columns (policy-reads.ts latestShape): what GET and list show its policies against. */
    private readonly lanceLatest?: (scope: RequestScope, record: CatalogObjectRecord) => Promise<LatestLanceShape>,
  ) {}

  private get store(): PolicyStore {
    return this.ctx.store.policies;
  }

  async list(request: CatalogRequest, target: PolicyTarget): Promise<{ policies: PolicyView[] }> {
    const table = await this.managed(request, target);
    const policies = await this.store.listForObject(table.scope.warehouse.tenant, table.record.id);
    const shown = await this.shown(table.scope, table.record, policies);
    return { policies: shown.map((p) => viewOf(p, table.record)) };
  }

  async get(request: CatalogRequest, target: PolicyTarget, id: string): Promise<PolicyView> {
    checkPolicyId(id);
    const table = await this.managed(request, target);
    const policy = await this.policyOf(table.scope, table.record, id);
    const [shown] = await this.shown(table.scope, table.record, [policy]);
    return viewOf(shown!, table.record);
  }

  /**
   * The policies with their status (policy-status.ts): the object's schemas parsed once for the whole list, not once
   * per policy; a Lance table's latest version's fields read once (one manifest at most, kept per manifest).
   */
  private async shown(scope: RequestScope, record: CatalogObjectRecord, policies: Policy[]): Promise<Shown[]> {
    if (policies.length === 0) return [];
    if (record.kind !== LANCE_TABLE) {
      const schemas = schemasFor(record);
      return policies.map((p) => current(p, schemas));
    }
    if (this.lanceLatest === undefined) return policies.map((policy) => ({ policy }));
    let latest: LatestLanceShape | Error;
    try {
      latest = await this.lanceLatest(scope, record);
    } catch (e) {
      // What a restricted read is refused for too (no version yet, no library, its manifest gone); a storage failure is the request's.
      if (!(e instanceof CatalogError)) throw e;
      latest = e;
    }
    return lanceShown(policies, latest);
  }

  async create(request: CatalogRequest, target: PolicyTarget, input: PolicyInput): Promise<PolicyView> {
    // validate (the shape; the schema after authorization)
    const kind = input.kind;
    if (kind !== 'row-filter' && kind !== 'column-mask') throw validation('kind must be "row-filter" or "column-mask"');
    // authorize
    const table = await this.managed(request, target);
    const body = await this.checkBody(table.scope, table.record, kind, input);
    // execute
    const now = this.ctx.clock.now();
    const policy: Policy = {
      id: this.ctx.newUuid(),
      tenant: table.scope.warehouse.tenant,
      warehouse: table.scope.warehouse.name,
      objectId: table.record.id,
      kind,
      ...body,
      version: 1,
      createdAtMs: now,
      updatedAtMs: now,
    };
    await this.store.insert(policy, [this.event(table.scope, table.record, 'policy.created', policy)]);
    await this.changed(table.scope, table.record, 'policy.created', policy);
    return viewOf(policy, table.record);
  }

  async update(request: CatalogRequest, target: PolicyTarget, id: string, input: PolicyInput): Promise<PolicyView> {
    // validate
    checkPolicyId(id);
    if (input.kind !== undefined) throw validation("a policy's kind cannot change: delete it and create another");
    // authorize
    const table = await this.managed(request, target);
    const current = await this.policyOf(table.scope, table.record, id);
    if (input.version !== undefined && input.version !== current.version) throw conflict(id, current.version);
    const body = await this.checkBody(table.scope, table.record, current.kind, input);
    // execute
    const next: Policy = {
      ...current,
      filter: undefined,
      fieldIds: undefined,
      filterTerms: undefined,
      masks: undefined,
      lanceFields: undefined,
      description: undefined,
      ...body,
      version: current.version + 1,
      updatedAtMs: this.ctx.clock.now(),
    };
    const stored = stripUndefined(next);
    if (!(await this.store.update(stored, current.version, [this.event(table.scope, table.record, 'policy.updated', stored)]))) throw conflict(id, undefined);
    await this.changed(table.scope, table.record, 'policy.updated', stored);
    return viewOf(stored, table.record);
  }

  async delete(request: CatalogRequest, target: PolicyTarget, id: string): Promise<void> {
    checkPolicyId(id);
    const table = await this.managed(request, target);
    const current = await this.policyOf(table.scope, table.record, id);
    if (!(await this.store.delete(current.tenant, id, [this.event(table.scope, table.record, 'policy.deleted', current)]))) throw notFound(id);
    await this.changed(table.scope, table.record, 'policy.deleted', current);
  }

  /** The caller's own effective policy on a table it may load (`table:read-metadata`), or a view (`view:read`). */
  async effective(request: CatalogRequest, target: PolicyTarget): Promise<EffectiveView> {
    const { namespace, name } = target;
    const levels = checkNamespace(namespace);
    checkName(name, `${target.kind} name`);
    const scope = await this.ctx.scope(request);
    const { record } =
      target.kind === 'view'
        ? await requireView(this.ctx, scope, levels, name, ['view:read'])
        : await this.requirePolicyTable(scope, levels, name, ['table:read-metadata']);
    // As the policies read against the current schema (policies/follow.ts); a Lance table's as written (they follow Lance's field ids at a read: lance/native-fields.ts).
    const effective = await this.gate.effective(scope.caller, scope.warehouse.tenant, record.id, record.kind === LANCE_TABLE ? undefined : schemasOf(record));
    const roles = effective.policies.length === 0 ? [] : await this.ctx.access.rolesOf(scope.warehouse.tenant, scope.caller.members);
    return effectiveView(effective, roles, tableObject(scope, levels, name), target.kind, record.kind === LANCE_TABLE);
  }

  /** The table or view, on which the caller must hold grants:manage (a missing one: 404 or 403, as loading it answers). */
  private async managed(request: CatalogRequest, target: PolicyTarget) {
    const levels = checkNamespace(target.namespace);
    checkName(target.name, `${target.kind} name`);
    const scope = await this.ctx.scope(request);
    const { record } =
      target.kind === 'view'
        ? await requireView(this.ctx, scope, levels, target.name, ['grants:manage'])
        : await this.requirePolicyTable(scope, levels, target.name, ['grants:manage']);
    return { scope, record };
  }

  /**
   * requireTable, or a Lance table of that name (issue 53 on Lance: its restricted readers are answered a
   * policy-derived dataset, catalog/lance/policy-reads.ts), authorized the same way: every privilege on it.
   */
  private async requirePolicyTable(scope: RequestScope, levels: string[], name: string, privileges: Privilege[]) {
    try {
      return await requireTable(this.ctx, scope, levels, name, privileges);
    } catch (e) {
      if (!(e instanceof CatalogError) || e.code !== 'ERR_TABLE_NOT_FOUND') throw e;
      const record = await this.ctx.store.repository.getObject(scope.warehouse.name, levels, name);
      if (record?.kind !== LANCE_TABLE) throw e;
      const ns = await this.ctx.access.namespacePath(scope.warehouse, levels);
      const path = this.ctx.access.objectPath(ns.path, 'table', record.id);
      await this.ctx.access.requireAll(scope, privileges, path, { object: describeObject(scope.warehouse.name, levels, name) });
      return { record };
    }
  }

  private async policyOf(scope: RequestScope, record: CatalogObjectRecord, id: string): Promise<Policy> {
    const policy = await this.store.get(scope.warehouse.tenant, id);
    if (!policy || policy.objectId !== record.id) throw notFound(id);
    return policy;
  }

  /** The kind's fields checked against the table's (view's) current schema, the roles against the tenant's. */
  private async checkBody(
    scope: RequestScope,
    record: CatalogObjectRecord,
    kind: PolicyKind,
    input: PolicyInput,
  ): Promise<Pick<Policy, 'roles' | 'filter' | 'fieldIds' | 'filterTerms' | 'masks' | 'lanceFields' | 'description'>> {
    const roles = [...new Set(input.roles)];
    if (roles.length === 0) throw validation('roles: name one or more roles');
    for (const role of roles) {
      // The built-in admin role has no definition row; its members are matched like any role's.
      if (role !== ADMIN_ROLE_NAME && !(await this.control.getRole(scope.warehouse.tenant, role)))
        throw validation(`roles: no role ${JSON.stringify(role).slice(0, 256)} in tenant ${scope.warehouse.tenant}`);
    }
    const lance = record.kind === LANCE_TABLE ? await this.lanceSchemaOf(scope, record) : undefined;
    const schema = lance?.schema ?? currentSchema(record);
    const description = input.description === undefined ? {} : { description: input.description };
    if (kind === 'row-filter') {
      if (input.masks !== undefined) throw validation('a row-filter policy has no "masks"');
      const fieldIds = checkRowFilter(input.filter, schema, true);
      // Each term's field id, so the filter follows renames (policies/follow.ts); a Lance table's by Lance's own ids (lance/native-fields.ts).
      const filterTerms = filterTermsOf(input.filter, schema);
      const names = filterTerms.map((t) => t.term);
      const terms = lance === undefined ? { filterTerms } : { lanceFields: lanceFieldsOf(names, lance.nativeIds) };
      return { roles, filter: input.filter, fieldIds, ...terms, ...description };
    }
    if (input.filter !== undefined) throw validation('a column-mask policy has no "filter"');
    // A Lance table's list (vector) column may be nulled whole: its policy-derived dataset writes that.
    const masks = checkMasks(input.masks, schema, { wholeLists: lance !== undefined, storing: true });
    if (lance === undefined) return { roles, masks, ...description };
    checkMasksBindable(masks, schema);
    checkNarrowMasks(masks, lance.narrow);
    const columns = masks.map((m) => m.column);
    return { roles, masks, lanceFields: lanceFieldsOf(columns, lance.nativeIds), ...description };
  }

  /** A Lance table's columns, read from its dataset (the Lance library must load: else 406), and Lance's field ids by path. */
  private async lanceSchemaOf(scope: RequestScope, record: CatalogObjectRecord) {
    if (this.lanceSchema === undefined)
      throw new CatalogError('ERR_NOT_IMPLEMENTED', 'Policies on Lance tables need the Lance library, which this server has not attached');
    return this.lanceSchema(scope, record);
  }

  private event(scope: RequestScope, record: CatalogObjectRecord, kind: Change['kind'], p: Policy) {
    const policy = { id: p.id, kind: p.kind, version: p.version, roles: p.roles };
    // A view's event names it as a view (`view-uuid`, `object-type`), never as a table: table-uuid readers (the
    // preparation of policy-enforced files) take only tables. It is still ordered with the view's own events (its
    // partition key is the view's uuid, as view.created's), not with the warehouse's.
    const view = record.kind === 'view';
    return changeEvent(this.ctx, scope.warehouse.name, scope.caller, {
      kind,
      namespace: record.namespace,
      name: record.name,
      ...(view ? { key: record.uuid } : { uuid: record.uuid }),
      data: view ? { 'object-type': 'view', 'view-uuid': record.uuid, policy } : { policy },
    });
  }

  private async changed(scope: RequestScope, record: CatalogObjectRecord, type: string, p: Policy): Promise<void> {
    this.gate.changed();
    await this.ctx.audit.record(scope.caller, {
      type,
      decision: 'allow',
      action: 'grants:manage',
      object: tableObject(scope, record.namespace, record.name),
      detail: { policy: p.id, kind: p.kind, version: p.version, roles: p.roles, ...(record.kind === 'view' ? { 'object-type': 'view' } : {}) },
    });
  }
}

function checkPolicyId(id: string): void {
  if (!POLICY_ID.test(id)) throw validation('policy id: letters, digits and "-", at most 64');
}

const notFound = (id: string) => new CatalogError('ERR_NOT_FOUND', `No policy ${id} on this object`);
const conflict = (id: string, version: number | undefined) =>
  new CatalogError('ERR_COMMIT_CONFLICT', `Policy ${id} changed since${version === undefined ? '' : `: it is at version ${version}`}; read it again`);

function stripUndefined(p: Policy): Policy {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as unknown as Policy;
}

const maskView = (m: ColumnMask): MaskView => ({
  'field-id': m.fieldId,
  column: m.column,
  action: m.action,
  ...(m.value !== undefined ? { value: m.value } : {}),
});

function viewOf(shown: Policy | Shown, record: CatalogObjectRecord): PolicyView {
  const p = 'policy' in shown ? shown.policy : shown;
  const status = 'policy' in shown ? shown.status : undefined;
  return {
    id: p.id,
    kind: p.kind,
    table: { warehouse: record.warehouse, namespace: [...record.namespace], name: record.name },
    'object-type': record.kind === 'view' ? 'view' : 'table',
    roles: [...p.roles],
    ...(p.filter !== undefined ? { filter: p.filter } : {}),
    ...(p.fieldIds !== undefined ? { 'field-ids': [...p.fieldIds] } : {}),
    ...(p.masks !== undefined ? { masks: p.masks.map(maskView) } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...status,
    version: p.version,
    'created-at-ms': p.createdAtMs,
    'updated-at-ms': p.updatedAtMs,
  };
}

/** The effective policy as the wire says it, with why each policy applies (the caller's roles it binds). */
export function effectiveView(
  e: EffectivePolicy,
  callerRoles: readonly string[],
  object: string,
  kind: PolicyObjectKind = 'table',
  lance = false,
): EffectiveView {
  const held = new Set(callerRoles);
  const policies = e.policies.map((p) => ({ id: p.id, kind: p.kind, version: p.version, roles: p.roles.filter((r) => held.has(r)) }));
  const summary =
    policies.length === 0
      ? `no row-filter or column-mask policy applies to you on ${object}`
      : `${policies.map((p) => `${p.kind} policy ${p.id} (v${p.version}) applies through role${p.roles.length === 1 ? '' : 's'} ${p.roles.join(', ')}`).join('; ')}; ${
          kind === 'view'
            ? `the view ${object} is handed out to you only through a declared policy enforcer acting for you`
            : lance
              ? `the Lance table ${object} is answered to you as a policy-derived dataset (DescribeTable), never its own files`
              : `you read ${object} through the catalog's server-side scan plan, of policy-enforced files; no storage access to its own files is handed out to you`
        }`;
  return {
    restricted: policies.length > 0,
    ...(e.rowFilter !== undefined ? { 'row-filter': e.rowFilter } : {}),
    masks: e.masks.map(maskView),
    ...(e.policyVersion !== undefined ? { 'policy-version': e.policyVersion } : {}),
    policies,
    summary,
  };
}
