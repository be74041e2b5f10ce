/**
 * Administration of access: roles, who holds them, what they hold, and
 * "explain". validate → authorize → execute, audited. Roles and role
 * members are managed by administrators of the tenant; grants on a
 * securable by administrators and by holders of `grants:manage` on it (or
 * on an ancestor). Roles, members and securables never cross tenants.
 * Every change clears this process's decision caches at once; other
 * replicas see it within the authorization cache time.
 */
import { type PolicyLookup, withPolicies } from '../policies/explain.js';
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkPlainName } from '../identifiers.js';
import type { Caller, CatalogRepository, Clock } from '../ports/index.js';
import { DEFAULT_TENANT, checkTenant } from '../tenants.js';
import type { AccessService } from '../access/access-service.js';
import { ADMIN_ROLE_NAME, type AccessControl, type Authorizer, type GrantRecord, type Member } from '../ports/access.js';
import { type Privilege, checkGrantable, isPrivilege } from '../privileges.js';
import { type ResolvedSecurable, SecurableInput, type SecurableView, describeSecurables, displayOf, resolveSecurable } from '../access/securables.js';
import type { WarehouseService } from './warehouses.js';
import { randomUUID } from 'node:crypto';
import { changeEvent } from '../outbox/changes.js';
import { type TenantChange, callerOf, tenantEvent } from '../outbox/tenant-events.js';

/** Where members come from: service principals of a tenant, users and groups vouched for by a trusted issuer. */
export interface IdentityDirectory {
  /** A service principal's tenant, and whether it is an administrator by credential (roles: ["admin"]); undefined when there is none. */
  principal(clientId: string): Promise<{ tenant: string; admin: boolean } | undefined>;
  /** Whether the issuer vouches for users of the tenant ("asserted" names are asserted by that tenant's engines). */
  issuerServes(issuer: string, tenant: string): boolean;
}

export interface AccessAdminDeps {
  access: AccessService;
  control: AccessControl;
  authorizer: Authorizer;
  warehouses: WarehouseService;
  repository: () => CatalogRepository;
  identities: IdentityDirectory;
  clock: Clock;
  /** Row-filter and column-mask policies, for explain about a table (catalog/policies/explain.ts). */
  policies?: PolicyLookup | undefined;
}

const RoleInput = z.object({ name: z.string(), description: z.string().max(1000).default(''), tenant: z.string().optional() });
export const MemberInput = z.object({ kind: z.enum(['principal', 'user', 'group']), name: z.string().min(1).max(255), issuer: z.string().max(1000).optional() });
const PrivilegesInput = z.union([z.string(), z.array(z.string()).min(1).max(50)]);
const GrantInput = z.object({ role: z.string(), tenant: z.string().optional(), securable: SecurableInput, privilege: PrivilegesInput.optional(), privileges: PrivilegesInput.optional() });
const ExplainInput = z.object({
  tenant: z.string().optional(),
  subject: MemberInput.extend({ groups: z.array(z.string().min(1).max(255)).max(1000).optional() }),
  privilege: z.string(),
  securable: SecurableInput,
});

export interface RoleView {
  tenant: string;
  name: string;
  description: string;
  'created-at-ms': number;
}
export interface MemberView {
  kind: Member['kind'];
  name: string;
  issuer?: string;
}
export interface GrantView {
  role: string;
  privilege: Privilege;
  securable: SecurableView;
  'created-at-ms': number;
}
export interface Explanation {
  allowed: boolean;
  /** admin: the subject administers the tenant; grant: through the grants listed; none: no grant gives it. */
  reason: 'admin' | 'grant' | 'none';
  /** Each grant that gives the privilege: its role, which of the subject's identities holds the role, where it was granted. */
  via: Array<{ role: string; privilege: Privilege; securable: SecurableView; member: MemberView }>;
  /** A sentence: "user alice can table:read-data on lake/sales.orders through role analyst (held by group analysts) granted table:read-data on namespace lake/sales". */
  summary: string;
}

const BUILT_IN_ADMIN = 'Administrators of the tenant: every privilege on everything in it, and its management (built in)';

const parse = <T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> => {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw new CatalogError('ERR_VALIDATION', `Invalid ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return r.data;
};
const memberView = (m: Member): MemberView => (m.kind === 'principal' ? { kind: m.kind, name: m.name } : { kind: m.kind, name: m.name, issuer: m.issuer });
const roleView = (r: { tenant: string; name: string; description: string; createdAtMs: number }): RoleView => ({ tenant: r.tenant, name: r.name, description: r.description, 'created-at-ms': r.createdAtMs });
const privilegesOf = (input: { privilege?: string | string[] | undefined; privileges?: string | string[] | undefined }): string[] => {
  const raw = input.privileges ?? input.privilege;
  if (raw === undefined) throw new CatalogError('ERR_VALIDATION', 'privilege (or privileges) is required');
  return Array.isArray(raw) ? raw : [raw];
};

export class AccessAdmin {
  /**
   * Role, member and grant changes are written with their events through AccessControl.withEvents: in the change's
   * transaction with the built-in authorizer. Member and grant changes name their event up front (`expected`): with
   * OpenFGA it is recorded as a pending intent before the tuple write and published after it, or by the recovery
   * sweep after a crash (catalog/ports/intents.ts, docs/events.md).
   */
  private readonly events = { newUuid: randomUUID, clock: { now: () => this.deps.clock.now() } };

  constructor(private readonly deps: AccessAdminDeps) {}

  /** A platform administrator (an admin of the default tenant by credential) manages every tenant. */
  isPlatformAdmin(caller: Caller): boolean {
    return caller.unrestricted || (caller.admin && caller.tenant === DEFAULT_TENANT);
  }

  /** The tenant a request manages: the one asked for (platform administrators only, for another tenant), else the caller's. */
  async managedTenant(caller: Caller, requested: string | undefined): Promise<string> {
    const tenant = requested === undefined ? caller.tenant : checkTenant(requested);
    if (tenant !== caller.tenant && !this.isPlatformAdmin(caller)) throw new CatalogError('ERR_FORBIDDEN', 'an administrator of a tenant manages only its own tenant');
    return tenant;
  }

  /**
   * Fails with 403 unless the caller administers the tenant (its admin role; another tenant: a platform
   * administrator). `action` says what was refused ("reading the tenant's events"), in the message and the audit.
   */
  async requireAdmin(caller: Caller, tenant: string, action: string): Promise<void> {
    if (tenant === caller.tenant ? await this.deps.access.isAdmin(caller) : this.isPlatformAdmin(caller)) return;
    await this.audit(caller, tenant, 'access.denied', 'deny', 'tenant:admin', tenant, { operation: action });
    throw new CatalogError('ERR_FORBIDDEN', `${action} needs the admin role of the tenant${tenant === caller.tenant ? '' : ' (another tenant: a platform administrator)'}`);
  }

  async listRoles(caller: Caller, tenantInput?: string): Promise<RoleView[]> {
    const tenant = await this.managedTenant(caller, tenantInput);
    await this.requireAdmin(caller, tenant, 'listing roles');
    const builtIn = { tenant, name: ADMIN_ROLE_NAME, description: BUILT_IN_ADMIN, createdAtMs: 0 };
    return [builtIn, ...(await this.deps.control.listRoles(tenant))].map(roleView);
  }

  async createRole(caller: Caller, input: unknown): Promise<RoleView> {
    // validate
    const body = parse(RoleInput, input, 'role');
    const name = checkPlainName(body.name, 'role name');
    const tenant = await this.managedTenant(caller, body.tenant);
    if (name === ADMIN_ROLE_NAME) throw new CatalogError('ERR_ROLE_EXISTS', `Role ${ADMIN_ROLE_NAME} is built in`);
    // authorize
    await this.requireAdmin(caller, tenant, 'creating a role');
    // execute
    const role = { tenant, name, description: body.description, createdAtMs: this.deps.clock.now() };
    const created = await this.deps.control.withEvents(async (control, outbox) => {
      if (!(await control.createRole(role))) return false;
      await outbox.appendEvents([this.tenantEvent(caller, tenant, { kind: 'role.created', subject: `role/${name}`, data: { role: name, description: body.description } })]);
      return true;
    });
    if (!created) throw new CatalogError('ERR_ROLE_EXISTS', `Role already exists: ${name}`);
    await this.audit(caller, tenant, 'role.created', undefined, 'role:create', `role:${name}`, { description: body.description });
    return roleView(role);
  }

  async getRole(caller: Caller, name: string, tenantInput?: string): Promise<{ role: RoleView; members: MemberView[]; grants: GrantView[] }> {
    const tenant = await this.managedTenant(caller, tenantInput);
    await this.requireAdmin(caller, tenant, 'reading a role');
    const role = await this.requireRole(tenant, name);
    const members = (await this.deps.control.listMembers(tenant, role.name)).map((m) => memberView(m.member));
    const grants = await this.grantViews(await this.deps.control.listGrants({ tenant, role: role.name }));
    return { role: roleView(role), members, grants };
  }

  async deleteRole(caller: Caller, name: string, tenantInput?: string): Promise<void> {
    const tenant = await this.managedTenant(caller, tenantInput);
    await this.requireAdmin(caller, tenant, 'deleting a role');
    if (name === ADMIN_ROLE_NAME) throw new CatalogError('ERR_ROLE_IN_USE', `Role ${ADMIN_ROLE_NAME} is built in and cannot be deleted`);
    const outcome = await this.deps.control.withEvents(async (control, outbox) => {
      const result = await control.deleteRole(tenant, name);
      if (result === 'deleted') await outbox.appendEvents([this.tenantEvent(caller, tenant, { kind: 'role.deleted', subject: `role/${name}`, data: { role: name } })]);
      return result;
    });
    if (outcome === 'missing') throw new CatalogError('ERR_ROLE_NOT_FOUND', `Role does not exist: ${name}`);
    if (outcome === 'in-use') throw new CatalogError('ERR_ROLE_IN_USE', `Role ${name} still has members or grants: remove them first`);
    this.deps.access.invalidate();
    await this.audit(caller, tenant, 'role.deleted', undefined, 'role:delete', `role:${name}`, {});
  }

  async listMembers(caller: Caller, role: string, tenantInput?: string): Promise<MemberView[]> {
    return (await this.getRole(caller, role, tenantInput)).members;
  }

  /** Adds a member; true when it is new. Principals must exist in the tenant; users and groups need an issuer that serves the tenant. */
  async addMember(caller: Caller, roleName: string, input: unknown, tenantInput?: string): Promise<{ member: MemberView; created: boolean }> {
    // validate
    const tenant = await this.managedTenant(caller, tenantInput);
    const raw = parse(MemberInput, input, 'role member');
    // authorize (before looking the member up: a non-admin learns nothing about which principals exist)
    await this.requireAdmin(caller, tenant, 'managing role members');
    const member = await this.checkMember(raw, tenant);
    // execute
    const role = await this.requireRole(tenant, roleName);
    const event = this.tenantEvent(caller, tenant, { kind: 'role.member-added', subject: `role/${role.name}`, data: { role: role.name, member: memberView(member) } });
    const created = await this.deps.control.withEvents(async (control, outbox) => {
      const added = await control.addMember({ tenant, role: role.name, member, createdAtMs: this.deps.clock.now() });
      // Adding a member who holds the role already changes nothing: no event.
      if (added) await outbox.appendEvents([event]);
      return added;
    }, [event]);
    this.deps.access.invalidate();
    await this.audit(caller, tenant, 'role.member-added', undefined, 'role:assign', `role:${role.name}`, { member: memberView(member) });
    return { member: memberView(member), created };
  }

  async removeMember(caller: Caller, roleName: string, input: unknown, tenantInput?: string): Promise<void> {
    const tenant = await this.managedTenant(caller, tenantInput);
    const raw = parse(MemberInput, input, 'role member');
    const member: Member = { kind: raw.kind, issuer: raw.kind === 'principal' ? '' : (raw.issuer ?? ''), name: raw.name };
    await this.requireAdmin(caller, tenant, 'managing role members');
    const role = await this.requireRole(tenant, roleName);
    const event = this.tenantEvent(caller, tenant, { kind: 'role.member-removed', subject: `role/${role.name}`, data: { role: role.name, member: memberView(member) } });
    const removed = await this.deps.control.withEvents(async (control, outbox) => {
      if (!(await control.removeMember(tenant, role.name, member))) return false;
      await outbox.appendEvents([event]);
      return true;
    }, [event]);
    if (!removed) throw new CatalogError('ERR_NOT_FOUND', `${member.kind} ${member.name} does not hold role ${role.name}`);
    this.deps.access.invalidate();
    await this.audit(caller, tenant, 'role.member-removed', undefined, 'role:unassign', `role:${role.name}`, { member: memberView(member) });
  }

  async listGrants(caller: Caller, query: { role?: string | undefined; tenant?: string | undefined; securable?: unknown }): Promise<GrantView[]> {
    const tenant = await this.managedTenant(caller, query.tenant);
    if (query.securable !== undefined) {
      const target = await this.resolve(caller, tenant, query.securable);
      await this.requireGrantManager(caller, tenant, target);
      return this.grantViews(await this.deps.control.listGrants({ tenant, securable: target.ref, role: query.role }));
    }
    await this.requireAdmin(caller, tenant, 'listing grants');
    return this.grantViews(await this.deps.control.listGrants({ tenant, role: query.role }));
  }

  async grant(caller: Caller, input: unknown): Promise<GrantView[]> {
    // validate
    const { tenant, target, privileges, role } = await this.grantRequest(caller, input);
    // execute
    const now = this.deps.clock.now();
    const event = changeEvent(this.events, target.view.warehouse, caller, { kind: 'grant.added', data: { role: role.name, tenant, privileges, securable: target.view } });
    await this.deps.control.withEvents(async (control, outbox) => {
      for (const privilege of privileges) await control.grant({ tenant, role: role.name, privilege, securable: target.ref, createdAtMs: now });
      await outbox.appendEvents([event]);
    }, [event]);
    this.deps.access.invalidate();
    await this.audit(caller, tenant, 'grant.added', undefined, privileges.join('+'), target.display, { role: role.name, securable: target.view });
    return privileges.map((privilege) => ({ role: role.name, privilege, securable: target.view, 'created-at-ms': now }));
  }

  async revoke(caller: Caller, input: unknown): Promise<{ revoked: number }> {
    const { tenant, target, privileges, role } = await this.grantRequest(caller, input);
    const revokedEvent = (n: number) => changeEvent(this.events, target.view.warehouse, caller, { kind: 'grant.revoked', data: { role: role.name, tenant, privileges, revoked: n, securable: target.view } });
    // Expected: every privilege revoked (what a revoke recovered after a crash reports; it cannot tell which were held).
    const expected = revokedEvent(privileges.length);
    const revoked = await this.deps.control.withEvents(async (control, outbox) => {
      let n = 0;
      for (const privilege of privileges) if (await control.revoke(tenant, role.name, privilege, target.ref)) n += 1;
      if (n > 0) await outbox.appendEvents([n === privileges.length ? expected : { ...revokedEvent(n), id: expected.id }]);
      return n;
    }, [expected]);
    if (revoked === 0) throw new CatalogError('ERR_GRANT_NOT_FOUND', `Role ${role.name} holds none of ${privileges.join(', ')} on ${target.display}`);
    this.deps.access.invalidate();
    await this.audit(caller, tenant, 'grant.revoked', undefined, privileges.join('+'), target.display, { role: role.name, securable: target.view });
    return { revoked };
  }

  /**
   * May the subject do the privilege on the securable, and through which grants? For administrators, grant managers
   * of the securable, and anyone about themselves on a securable they hold something on (else the 403 a missing one gets).
   * About oneself, the groups are those the caller's credential carries (all of them when none are named; naming
   * some of them narrows the question): naming a group the credential does not carry asks about a hypothetical
   * identity, which maps who holds which role, so it is for grant managers of the securable only.
   */
  async explain(caller: Caller, input: unknown): Promise<Explanation> {
    // validate
    const body = parse(ExplainInput, input, 'explain request');
    const tenant = await this.managedTenant(caller, body.tenant);
    if (!isPrivilege(body.privilege)) throw new CatalogError('ERR_VALIDATION', `unknown privilege ${JSON.stringify(body.privilege)}`);
    const privilege = body.privilege;
    const issuer = body.subject.kind === 'principal' ? '' : (body.subject.issuer ?? '');
    // authorize: anyone about themselves on what they may see; otherwise administrators and grant managers of the securable
    const aboutThemselves = tenant === caller.tenant && caller.members.some((m) => m.kind === body.subject.kind && m.issuer === issuer && m.name === body.subject.name);
    const ownGroups = aboutThemselves ? caller.members.filter((m) => m.kind === 'group' && m.issuer === issuer).map((m) => m.name) : [];
    const hypothetical = !aboutThemselves || (body.subject.groups ?? []).some((g) => !ownGroups.includes(g));
    const target = await this.resolve(caller, tenant, body.securable);
    if (hypothetical || !(await this.maySee(caller, target))) await this.requireGrantManager(caller, tenant, target);
    // execute
    const subject = await this.checkMember(body.subject, tenant);
    const groups = body.subject.groups ?? ownGroups;
    const members: Member[] = subject.kind === 'user' ? [subject, ...groups.map((g) => ({ kind: 'group' as const, issuer: subject.issuer, name: g }))] : [subject];
    const who = `${subject.kind} ${subject.name}`;
    const byCredential = subject.kind === 'principal' && (await this.deps.identities.principal(subject.name))?.admin === true;
    if (byCredential || (await this.deps.authorizer.isAdmin(tenant, members))) {
      return withPolicies({ allowed: true, reason: 'admin' as const, via: [], summary: `${who} can ${privilege} on ${target.display}: it holds the admin role of tenant ${tenant}` }, this.deps.policies, tenant, members, target.ref);
    }
    const grants = await this.deps.authorizer.explain(tenant, members, privilege, target.path);
    if (grants.length === 0) return { allowed: false, reason: 'none', via: [], summary: `${who} cannot ${privilege} on ${target.display}: no role it holds has a grant that gives it` };
    const views = await describeSecurables(this.deps.repository(), grants.map((g) => g.securable));
    const via: Explanation['via'] = [];
    for (const g of grants) {
      const holders = await this.deps.control.listMembers(tenant, g.role);
      const holder = holders.find((h) => members.some((m) => m.kind === h.member.kind && m.issuer === h.member.issuer && m.name === h.member.name));
      const securable = views.get(`${g.securable.kind}\u001f${g.securable.id}`);
      if (holder && securable) via.push({ role: g.role, privilege: g.privilege, securable, member: memberView(holder.member) });
    }
    const first = via[0];
    const summary = first
      ? `${who} can ${privilege} on ${target.display} through role ${first.role}${first.member.kind === subject.kind && first.member.name === subject.name ? '' : ` (held by ${first.member.kind} ${first.member.name})`} granted ${first.privilege} on ${first.securable.type} ${displayName(first.securable)}`
      : `${who} cannot ${privilege} on ${target.display}`;
    return withPolicies({ allowed: via.length > 0, reason: via.length > 0 ? ('grant' as const) : ('none' as const), via, summary }, this.deps.policies, tenant, members, target.ref);
  }

  /** A grant or revoke request, validated (tenant, securable, privileges grantable there, role) and authorized (grant manager of the securable). */
  private async grantRequest(caller: Caller, input: unknown) {
    // validate
    const body = parse(GrantInput, input, 'grant');
    const tenant = await this.managedTenant(caller, body.tenant);
    const target = await this.resolve(caller, tenant, body.securable);
    const privileges = privilegesOf(body).map((p) => checkGrantable(p, target.ref.kind));
    // authorize
    await this.requireGrantManager(caller, tenant, target);
    const role = await this.requireRole(tenant, body.role);
    return { tenant, target, privileges, role };
  }

  private async requireRole(tenant: string, name: string) {
    const role = name === ADMIN_ROLE_NAME ? { tenant, name, description: BUILT_IN_ADMIN, createdAtMs: 0 } : await this.deps.control.getRole(tenant, name);
    if (!role) throw new CatalogError('ERR_ROLE_NOT_FOUND', `Role does not exist: ${name}`);
    return role;
  }

  /** Administrators of the tenant, or holders of grants:manage on the securable or above it. */
  private async requireGrantManager(caller: Caller, tenant: string, target: ResolvedSecurable): Promise<void> {
    if (tenant !== caller.tenant) {
      if (this.isPlatformAdmin(caller)) return;
      throw new CatalogError('ERR_FORBIDDEN', 'an administrator of a tenant manages only its own tenant');
    }
    const warehouse = await this.deps.warehouses.lookup(target.ref.warehouse);
    await this.deps.access.require({ warehouse, caller }, 'grants:manage', target.path, { object: target.display });
  }

  /**
   * The securable a request names. A missing one is "not found" only to who may see where it would be (an
   * administrator, or a holder of any privilege on its deepest existing container); anyone else gets the very 403
   * an existing one gives, so that asking reveals no names (docs/authorization.md, "Not found or forbidden").
   */
  private async resolve(caller: Caller, tenant: string, input: unknown): Promise<ResolvedSecurable> {
    const securable = parse(SecurableInput, input, 'securable');
    // A warehouse of another tenant is "no such warehouse", as everywhere.
    const warehouse = await this.deps.warehouses.require({ ...caller, tenant }, securable.warehouse);
    try {
      return await resolveSecurable(this.deps.repository(), securable, warehouse);
    } catch (e) {
      // Another tenant's securables are asked about only by platform administrators (managedTenant), who may know.
      if (!(e instanceof CatalogError) || e.code !== 'ERR_NOT_FOUND' || tenant !== caller.tenant) throw e;
      const levels = securable.namespace ?? [];
      const container = (await this.deps.access.namespacePath(warehouse, levels)).path;
      const display = displayOf({ type: securable.type, warehouse: warehouse.name, namespace: levels, ...(securable.name !== undefined ? { name: securable.name } : {}) });
      return this.deps.access.notFoundOrForbidden({ warehouse, caller }, container, 'grants:manage', display, () => e);
    }
  }

  /** Whether the caller holds any privilege on the securable (held there or inherited): what it may ask about itself. */
  private async maySee(caller: Caller, target: ResolvedSecurable): Promise<boolean> {
    const warehouse = await this.deps.warehouses.lookup(target.ref.warehouse);
    return this.deps.access.allowed({ warehouse, caller }, 'any', target.path);
  }

  private async checkMember(input: z.infer<typeof MemberInput>, tenant: string): Promise<Member> {
    if (input.kind === 'principal') {
      if (input.issuer !== undefined) throw new CatalogError('ERR_VALIDATION', 'a principal member has no issuer');
      if ((await this.deps.identities.principal(input.name))?.tenant !== tenant) throw new CatalogError('ERR_NOT_FOUND', `no such principal in tenant ${tenant}: ${input.name}`);
      return { kind: 'principal', issuer: '', name: input.name };
    }
    if (input.issuer === undefined) throw new CatalogError('ERR_VALIDATION', `a ${input.kind} member needs the issuer that vouches for it (a trusted issuer's URL, or "asserted" for names an engine asserts)`);
    if (!this.deps.identities.issuerServes(input.issuer, tenant)) throw new CatalogError('ERR_VALIDATION', `issuer ${input.issuer} is not a trusted issuer of tenant ${tenant}`);
    return { kind: input.kind, issuer: input.issuer, name: input.name };
  }

  private async grantViews(grants: GrantRecord[]): Promise<GrantView[]> {
    const views = await describeSecurables(this.deps.repository(), grants.map((g) => g.securable));
    return grants.flatMap((g) => {
      const securable = views.get(`${g.securable.kind}\u001f${g.securable.id}`);
      return securable ? [{ role: g.role, privilege: g.privilege, securable, 'created-at-ms': g.createdAtMs }] : [];
    });
  }

  private tenantEvent(caller: Caller, tenant: string, change: TenantChange) {
    return tenantEvent(this.events, tenant, callerOf(caller), change);
  }

  private async audit(caller: Caller, tenant: string, type: string, decision: 'allow' | 'deny' | undefined, action: string, object: string, detail: Record<string, unknown>): Promise<void> {
    await this.deps.access.record({ ...caller, tenant }, type, decision, action, object, detail);
  }
}

const displayName = (v: SecurableView): string => (v.type === 'warehouse' ? v.warehouse : `${v.warehouse}/${[...(v.namespace ?? []), ...(v.name ? [v.name] : [])].join('.')}`);
