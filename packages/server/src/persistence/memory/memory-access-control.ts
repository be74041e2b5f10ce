/** AccessControl in memory: the reference the contract suite holds the database and OpenFGA adapters to, and a fast stand-in for unit tests. */
import type { AccessControl, GrantQuery, GrantRecord, Member, RoleAssignment, RoleRecord, SecurableRef } from '../../catalog/ports/access.js';
import type { Privilege } from '../../catalog/privileges.js';
import type { OutboxEventInput, OutboxWriter } from '../../catalog/ports/outbox.js';
import { MemoryOutbox } from './memory-outbox.js';

const sameMember = (a: Member, b: Member) => a.kind === b.kind && a.issuer === b.issuer && a.name === b.name;
const sameRef = (a: SecurableRef, b: SecurableRef) => a.kind === b.kind && a.id === b.id;
const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export class MemoryAccessControl implements AccessControl {
  private roles: RoleRecord[] = [];
  private members: RoleAssignment[] = [];
  private grants: GrantRecord[] = [];

  /** @param outbox where withEvents writes events (the memory outbox the tests read). */
  constructor(readonly outbox: OutboxWriter = new MemoryOutbox()) {}

  /** All of fn or nothing: its changes are rolled back when it throws, and its events are appended only when it returned. */
  async withEvents<T>(fn: (control: AccessControl, outbox: OutboxWriter) => Promise<T>): Promise<T> {
    const saved = { roles: [...this.roles], members: [...this.members], grants: [...this.grants] };
    const pending: OutboxEventInput[] = [];
    try {
      const result = await fn(this, { appendEvents: async (events) => void pending.push(...events.map((e) => structuredClone(e))) });
      if (pending.length > 0) await this.outbox.appendEvents(pending);
      return result;
    } catch (e) {
      ({ roles: this.roles, members: this.members, grants: this.grants } = saved);
      throw e;
    }
  }

  async createRole(role: RoleRecord): Promise<boolean> {
    if (this.roles.some((r) => r.tenant === role.tenant && r.name === role.name)) return false;
    this.roles.push({ ...role });
    return true;
  }

  async getRole(tenant: string, name: string): Promise<RoleRecord | undefined> {
    const r = this.roles.find((x) => x.tenant === tenant && x.name === name);
    return r && { ...r };
  }

  async listRoles(tenant?: string): Promise<RoleRecord[]> {
    return this.roles
      .filter((r) => tenant === undefined || r.tenant === tenant)
      .sort(byKey((r) => `${r.tenant}\u0000${r.name}`))
      .map((r) => ({ ...r }));
  }

  async deleteRole(tenant: string, name: string): Promise<'deleted' | 'missing' | 'in-use'> {
    if (this.members.some((m) => m.tenant === tenant && m.role === name) || this.grants.some((g) => g.tenant === tenant && g.role === name)) return 'in-use';
    const before = this.roles.length;
    this.roles = this.roles.filter((r) => !(r.tenant === tenant && r.name === name));
    return this.roles.length < before ? 'deleted' : 'missing';
  }

  async addMember(a: RoleAssignment): Promise<boolean> {
    if (this.members.some((m) => m.tenant === a.tenant && m.role === a.role && sameMember(m.member, a.member))) return false;
    this.members.push({ ...a, member: { ...a.member } });
    return true;
  }

  async removeMember(tenant: string, role: string, member: Member): Promise<boolean> {
    const before = this.members.length;
    this.members = this.members.filter((m) => !(m.tenant === tenant && m.role === role && sameMember(m.member, member)));
    return this.members.length < before;
  }

  async listMembers(tenant: string, role: string): Promise<RoleAssignment[]> {
    return this.members
      .filter((m) => m.tenant === tenant && m.role === role)
      .sort(byKey((m) => `${m.member.kind}\u0000${m.member.issuer}\u0000${m.member.name}`))
      .map((m) => ({ ...m, member: { ...m.member } }));
  }

  async rolesOf(tenant: string, members: readonly Member[]): Promise<string[]> {
    const roles = new Set(this.members.filter((m) => m.tenant === tenant && members.some((x) => sameMember(x, m.member))).map((m) => m.role));
    return [...roles].sort();
  }

  async grant(g: GrantRecord): Promise<boolean> {
    if (this.grants.some((x) => x.tenant === g.tenant && x.role === g.role && x.privilege === g.privilege && sameRef(x.securable, g.securable))) return false;
    this.grants.push({ ...g, securable: { ...g.securable } });
    return true;
  }

  async revoke(tenant: string, role: string, privilege: Privilege, securable: SecurableRef): Promise<boolean> {
    const before = this.grants.length;
    this.grants = this.grants.filter((g) => !(g.tenant === tenant && g.role === role && g.privilege === privilege && sameRef(g.securable, securable)));
    return this.grants.length < before;
  }

  async listGrants(q: GrantQuery): Promise<GrantRecord[]> {
    return this.grants
      .filter(
        (g) => g.tenant === q.tenant && (q.role === undefined || g.role === q.role) && (q.warehouse === undefined || g.securable.warehouse === q.warehouse),
      )
      .filter((g) => q.securable === undefined || sameRef(g.securable, q.securable))
      .sort(byKey((g) => `${g.role}\u0000${g.securable.kind}\u0000${g.securable.id}\u0000${g.privilege}`))
      .map((g) => ({ ...g, securable: { ...g.securable } }));
  }

  async grantsOn(tenant: string, roles: readonly string[], securables: readonly SecurableRef[]): Promise<GrantRecord[]> {
    return this.grants
      .filter((g) => g.tenant === tenant && roles.includes(g.role) && securables.some((s) => sameRef(s, g.securable)))
      .map((g) => ({ ...g, securable: { ...g.securable } }));
  }

  async forgetSecurable(securable: SecurableRef): Promise<void> {
    this.grants = this.grants.filter((g) => !sameRef(g.securable, securable));
  }
}
