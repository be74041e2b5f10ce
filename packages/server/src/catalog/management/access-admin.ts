/**
 * Administration of access: roles, who holds them, what they hold, and
 * "explain". validate → authorize → execute, audited. Roles and role
 * members are managed by administrators of the tenant; grants on a
 * securable by administrators and by holders of `grants:manage` on it (or
 * on an ancestor). Roles, members and securables never cross tenants.
 * Every change clears this process's decision caches at once; other
 * replicas see it within the authorization cache time.
 */
import { withPolicies } from '../policies/explain.js';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkPlainName } from '../identifiers.js';
import type { Caller } from '../ports/index.js';
import { ADMIN_ROLE_NAME, type GrantRecord, type Member } from '../ports/access.js';
import { checkGrantable, isPrivilege, quotedPrivilege } from '../privileges.js';
import { type SecurableView, describeSecurables } from '../access/securables.js';
import { randomUUID } from 'node:crypto';
import { changeEvent } from '../outbox/changes.js';
import { type TenantChange, callerOf, tenantEvent } from '../outbox/tenant-events.js';
import { AccessAdminChecks } from './access-admin-checks.js';
import {
  BUILT_IN_ADMIN,
  ExplainInput,
  type Explanation,
  GrantInput,
  type GrantView,
  MemberInput,
  type MemberView,
  RoleInput,
  type RoleView,
  memberView,
  parse,
  privilegesOf,
  roleView,
} from './access-admin-model.js';

export type { AccessAdminDeps, Explanation, GrantView, IdentityDirectory, MemberView, RoleView } from './access-admin-model.js';
export { MemberInput } from './access-admin-model.js';

export class AccessAdmin extends AccessAdminChecks {
  /**
   * Role, member and grant changes are written with their events through AccessControl.withEvents: in the change's
   * transaction with the built-in authorizer. Member and grant changes name their event up front (`expected`): with
   * OpenFGA it is recorded as a pending intent before the tuple write and published after it, or by the recovery
   * sweep after a crash (catalog/ports/intents.ts, docs/events.md).
   */
  private readonly events = { newUuid: randomUUID, clock: { now: () => this.deps.clock.now() } };

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
      await outbox.appendEvents([
        this.tenantEvent(caller, tenant, { kind: 'role.created', subject: `role/${name}`, data: { role: name, description: body.description } }),
      ]);
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
      if (result === 'deleted')
        await outbox.appendEvents([this.tenantEvent(caller, tenant, { kind: 'role.deleted', subject: `role/${name}`, data: { role: name } })]);
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
    const event = this.tenantEvent(caller, tenant, {
      kind: 'role.member-added',
      subject: `role/${role.name}`,
      data: { role: role.name, member: memberView(member) },
    });
    const created = await this.deps.control.withEvents(
      async (control, outbox) => {
        const added = await control.addMember({ tenant, role: role.name, member, createdAtMs: this.deps.clock.now() });
        // Adding a member who holds the role already changes nothing: no event.
        if (added) await outbox.appendEvents([event]);
        return added;
      },
      [event],
    );
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
    const event = this.tenantEvent(caller, tenant, {
      kind: 'role.member-removed',
      subject: `role/${role.name}`,
      data: { role: role.name, member: memberView(member) },
    });
    const removed = await this.deps.control.withEvents(
      async (control, outbox) => {
        if (!(await control.removeMember(tenant, role.name, member))) return false;
        await outbox.appendEvents([event]);
        return true;
      },
      [event],
    );
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
    const event = changeEvent(this.events, target.view.warehouse, caller, {
      kind: 'grant.added',
      data: { role: role.name, tenant, privileges, securable: target.view },
    });
    await this.deps.control.withEvents(
      async (control, outbox) => {
        for (const privilege of privileges) await control.grant({ tenant, role: role.name, privilege, securable: target.ref, createdAtMs: now });
        await outbox.appendEvents([event]);
      },
      [event],
    );
    this.deps.access.invalidate();
    await this.audit(caller, tenant, 'grant.added', undefined, privileges.join('+'), target.display, { role: role.name, securable: target.view });
    return privileges.map((privilege) => ({ role: role.name, privilege, securable: target.view, 'created-at-ms': now }));
  }

  async revoke(caller: Caller, input: unknown): Promise<{ revoked: number }> {
    const { tenant, target, privileges, role } = await this.grantRequest(caller, input);
    const revokedEvent = (n: number) =>
      changeEvent(this.events, target.view.warehouse, caller, {
        kind: 'grant.revoked',
        data: { role: role.name, tenant, privileges, revoked: n, securable: target.view },
      });
    // Expected: every privilege revoked (what a revoke recovered after a crash reports; it cannot tell which were held).
    const expected = revokedEvent(privileges.length);
    const revoked = await this.deps.control.withEvents(
      async (control, outbox) => {
        let n = 0;
        for (const privilege of privileges) if (await control.revoke(tenant, role.name, privilege, target.ref)) n += 1;
        if (n > 0) await outbox.appendEvents([n === privileges.length ? expected : { ...revokedEvent(n), id: expected.id }]);
        return n;
      },
      [expected],
    );
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
    if (!isPrivilege(body.privilege)) throw new CatalogError('ERR_VALIDATION', `unknown privilege ${quotedPrivilege(body.privilege)}`);
    const privilege = body.privilege;
    const issuer = body.subject.kind === 'principal' ? '' : (body.subject.issuer ?? '');
    // authorize: anyone about themselves on what they may see; otherwise administrators and grant managers of the securable
    const aboutThemselves =
      tenant === caller.tenant && caller.members.some((m) => m.kind === body.subject.kind && m.issuer === issuer && m.name === body.subject.name);
    const ownGroups = aboutThemselves ? caller.members.filter((m) => m.kind === 'group' && m.issuer === issuer).map((m) => m.name) : [];
    const hypothetical = !aboutThemselves || (body.subject.groups ?? []).some((g) => !ownGroups.includes(g));
    const target = await this.resolve(caller, tenant, body.securable);
    if (hypothetical || !(await this.maySee(caller, target))) await this.requireGrantManager(caller, tenant, target);
    // execute
    const subject = await this.checkMember(body.subject, tenant);
    const groups = body.subject.groups ?? ownGroups;
    const members: Member[] =
      subject.kind === 'user' ? [subject, ...groups.map((g) => ({ kind: 'group' as const, issuer: subject.issuer, name: g }))] : [subject];
    const who = `${subject.kind} ${subject.name}`;
    const byCredential = subject.kind === 'principal' && (await this.deps.identities.principal(subject.name))?.admin === true;
    if (byCredential || (await this.deps.authorizer.isAdmin(tenant, members))) {
      return withPolicies(
        {
          allowed: true,
          reason: 'admin' as const,
          via: [],
          summary: `${who} can ${privilege} on ${target.display}: it holds the admin role of tenant ${tenant}`,
        },
        this.deps.policies,
        tenant,
        members,
        target.ref,
      );
    }
    const grants = await this.deps.authorizer.explain(tenant, members, privilege, target.path);
    if (grants.length === 0)
      return {
        allowed: false,
        reason: 'none',
        via: [],
        summary: `${who} cannot ${privilege} on ${target.display}: no role it holds has a grant that gives it`,
      };
    const views = await describeSecurables(
      this.deps.repository(),
      grants.map((g) => g.securable),
    );
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
    return withPolicies(
      { allowed: via.length > 0, reason: via.length > 0 ? ('grant' as const) : ('none' as const), via, summary },
      this.deps.policies,
      tenant,
      members,
      target.ref,
    );
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
  private async grantViews(grants: GrantRecord[]): Promise<GrantView[]> {
    const views = await describeSecurables(
      this.deps.repository(),
      grants.map((g) => g.securable),
    );
    return grants.flatMap((g) => {
      const securable = views.get(`${g.securable.kind}\u001f${g.securable.id}`);
      return securable ? [{ role: g.role, privilege: g.privilege, securable, 'created-at-ms': g.createdAtMs }] : [];
    });
  }

  private tenantEvent(caller: Caller, tenant: string, change: TenantChange) {
    return tenantEvent(this.events, tenant, callerOf(caller), change);
  }
}

const displayName = (v: SecurableView): string =>
  v.type === 'warehouse' ? v.warehouse : `${v.warehouse}/${[...(v.namespace ?? []), ...(v.name ? [v.name] : [])].join('.')}`;
