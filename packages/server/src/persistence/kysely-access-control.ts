/**
 * The built-in AccessControl: roles, role members and grants in the catalog
 * database (SQLite or PostgreSQL), next to the catalog they protect.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AccessControl, GrantQuery, GrantRecord, Member, MemberKind, RoleAssignment, RoleRecord, SecurableRef } from '../catalog/ports/access.js';
import type { Privilege, SecurableKind } from '../catalog/privileges.js';
import { CompiledReads, type ReadRunner, kyselyRunner } from './compiled-reads.js';
import type { CatalogDatabase, GrantsTable } from './schema.js';
import type { OutboxWriter } from '../catalog/ports/outbox.js';
import { appendOutboxEvents } from './kysely-outbox.js';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
/** Bound on the parameters of one IN list (SQLite's default limit is 32766 in all; stay far below). */
const CHUNK = 500;

const toGrant = (r: Selectable<GrantsTable>): GrantRecord => ({
  tenant: r.tenant,
  role: r.role,
  privilege: r.privilege as Privilege,
  securable: { kind: r.securable_kind as SecurableKind, id: r.securable_id, warehouse: r.warehouse },
  createdAtMs: num(r.created_at),
});

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export class KyselyAccessControl implements AccessControl {
  /** @param reads how the two reads behind every authorization decision run (see compiled-reads.ts). */
  constructor(
    private readonly db: Kysely<CatalogDatabase>,
    private readonly reads: ReadRunner = kyselyRunner(db),
    private readonly compiled: CompiledReads = new CompiledReads(),
  ) {}

  /** fn's changes and the events it appends in one transaction (the events last: kysely-outbox.ts's lock order). */
  withEvents<T>(fn: (control: AccessControl, outbox: OutboxWriter) => Promise<T>): Promise<T> {
    const run = (trx: Kysely<CatalogDatabase>) =>
      fn(new KyselyAccessControl(trx, kyselyRunner(trx), this.compiled), { appendEvents: (events) => appendOutboxEvents(trx, events) });
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async createRole(role: RoleRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('roles')
      .values({ tenant: role.tenant, name: role.name, description: role.description, created_at: role.createdAtMs })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async getRole(tenant: string, name: string): Promise<RoleRecord | undefined> {
    const r = await this.db.selectFrom('roles').selectAll().where('tenant', '=', tenant).where('name', '=', name).executeTakeFirst();
    return r && { tenant: r.tenant, name: r.name, description: r.description, createdAtMs: num(r.created_at) };
  }

  async listRoles(tenant?: string): Promise<RoleRecord[]> {
    let q = this.db.selectFrom('roles').selectAll();
    if (tenant !== undefined) q = q.where('tenant', '=', tenant);
    const rows = await q.orderBy('tenant').orderBy('name').execute();
    return rows.map((r) => ({ tenant: r.tenant, name: r.name, description: r.description, createdAtMs: num(r.created_at) }));
  }

  async deleteRole(tenant: string, name: string): Promise<'deleted' | 'missing' | 'in-use'> {
    const run = async (trx: Kysely<CatalogDatabase>) => {
      const member = await trx.selectFrom('role_members').select('role').where('tenant', '=', tenant).where('role', '=', name).limit(1).executeTakeFirst();
      const grant = await trx.selectFrom('grants').select('role').where('tenant', '=', tenant).where('role', '=', name).limit(1).executeTakeFirst();
      if (member || grant) return 'in-use';
      const res = await trx.deleteFrom('roles').where('tenant', '=', tenant).where('name', '=', name).executeTakeFirst();
      return Number(res.numDeletedRows) === 1 ? 'deleted' : 'missing';
    };
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async addMember(a: RoleAssignment): Promise<boolean> {
    const res = await this.db
      .insertInto('role_members')
      .values({
        tenant: a.tenant,
        role: a.role,
        member_kind: a.member.kind,
        member_issuer: a.member.issuer,
        member_name: a.member.name,
        created_at: a.createdAtMs,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async removeMember(tenant: string, role: string, m: Member): Promise<boolean> {
    const res = await this.db
      .deleteFrom('role_members')
      .where('tenant', '=', tenant)
      .where('role', '=', role)
      .where('member_kind', '=', m.kind)
      .where('member_issuer', '=', m.issuer)
      .where('member_name', '=', m.name)
      .executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async listMembers(tenant: string, role: string): Promise<RoleAssignment[]> {
    const rows = await this.db
      .selectFrom('role_members')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('role', '=', role)
      .orderBy('member_kind')
      .orderBy('member_issuer')
      .orderBy('member_name')
      .execute();
    return rows.map((r) => ({
      tenant,
      role,
      member: { kind: r.member_kind as MemberKind, issuer: r.member_issuer, name: r.member_name },
      createdAtMs: num(r.created_at),
    }));
  }

  async rolesOf(tenant: string, members: readonly Member[]): Promise<string[]> {
    if (members.length === 0) return [];
    const args = [tenant, ...members.flatMap((m) => [m.kind, m.issuer, m.name])];
    const q = this.compiled.compile(`rolesOf:${members.length}`, args, (t, ...ms) =>
      this.db
        .selectFrom('role_members')
        .select('role')
        .distinct()
        .where('tenant', '=', t)
        .where((eb) =>
          eb.or(
            members.map((_, i) =>
              eb.and([eb('member_kind', '=', ms[3 * i]! as MemberKind), eb('member_issuer', '=', ms[3 * i + 1]!), eb('member_name', '=', ms[3 * i + 2]!)]),
            ),
          ),
        ),
    );
    return (await this.reads.rows(q)).map((r) => r.role).sort();
  }

  async grant(g: GrantRecord): Promise<boolean> {
    const res = await this.db
      .insertInto('grants')
      .values({
        tenant: g.tenant,
        role: g.role,
        privilege: g.privilege,
        securable_kind: g.securable.kind,
        securable_id: g.securable.id,
        warehouse: g.securable.warehouse,
        created_at: g.createdAtMs,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async revoke(tenant: string, role: string, privilege: Privilege, s: SecurableRef): Promise<boolean> {
    const res = await this.db
      .deleteFrom('grants')
      .where('tenant', '=', tenant)
      .where('role', '=', role)
      .where('privilege', '=', privilege)
      .where('securable_kind', '=', s.kind)
      .where('securable_id', '=', s.id)
      .executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async listGrants(q: GrantQuery): Promise<GrantRecord[]> {
    let query = this.db.selectFrom('grants').selectAll().where('tenant', '=', q.tenant);
    if (q.role !== undefined) query = query.where('role', '=', q.role);
    if (q.warehouse !== undefined) query = query.where('warehouse', '=', q.warehouse);
    if (q.securable !== undefined) query = query.where('securable_kind', '=', q.securable.kind).where('securable_id', '=', q.securable.id);
    const rows = await query.orderBy('role').orderBy('securable_kind').orderBy('securable_id').orderBy('privilege').execute();
    return rows.map(toGrant);
  }

  async grantsOn(tenant: string, roles: readonly string[], securables: readonly SecurableRef[]): Promise<GrantRecord[]> {
    if (roles.length === 0 || securables.length === 0) return [];
    const ids = [...new Set(securables.map((s) => s.id))];
    const wanted = new Set(securables.map((s) => `${s.kind}\u001f${s.id}`));
    const out: GrantRecord[] = [];
    for (const part of chunks(ids)) {
      const q = this.compiled.compile(`grantsOn:${part.length}:${roles.length}`, [tenant, ...part, ...roles], (t, ...rest) =>
        this.db
          .selectFrom('grants')
          .selectAll()
          .where('tenant', '=', t)
          .where('securable_id', 'in', rest.slice(0, part.length))
          .where('role', 'in', rest.slice(part.length)),
      );
      const rows = await this.reads.rows(q);
      for (const r of rows) if (wanted.has(`${r.securable_kind}\u001f${r.securable_id}`)) out.push(toGrant(r));
    }
    return out;
  }

  async forgetSecurable(s: SecurableRef): Promise<void> {
    await this.db.deleteFrom('grants').where('securable_kind', '=', s.kind).where('securable_id', '=', s.id).execute();
  }
}
