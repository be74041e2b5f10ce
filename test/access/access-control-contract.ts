/**
 * The AccessControl contract (catalog/ports/access.ts): roles, role members
 * and grants as every adapter must keep them — memory (the reference),
 * SQLite, PostgreSQL and OpenFGA. Each test makes its own adapter (a fresh
 * database or OpenFGA store), so tests never see each other's data.
 *
 * Names are lowercase letters and digits so that every adapter's order
 * (JavaScript's, SQL's under C collation) is the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessControl, GrantRecord, Member, SecurableRef } from '../../packages/server/src/catalog/ports/access.js';
import type { Privilege } from '../../packages/server/src/catalog/privileges.js';

export interface ContractAdapter {
  control: AccessControl;
  close?: () => Promise<void>;
}

export interface ContractOptions {
  /**
   * 'caller': createdAtMs of members and grants is the value passed in (database adapters);
   * 'server': the time the adapter's server stored it (OpenFGA stamps tuples itself).
   */
  timestamps?: 'caller' | 'server';
}

const principal = (name: string): Member => ({ kind: 'principal', issuer: '', name });
const user = (name: string, issuer = 'https://idp.example'): Member => ({ kind: 'user', issuer, name });
const group = (name: string, issuer = 'https://idp.example'): Member => ({ kind: 'group', issuer, name });
const wh = (id: string) => ({ kind: 'warehouse' as const, id, warehouse: id });
const ns = (id: string, warehouse = 'lake') => ({ kind: 'namespace' as const, id, warehouse });
const table = (id: string, warehouse = 'lake') => ({ kind: 'table' as const, id, warehouse });
const view = (id: string, warehouse = 'lake') => ({ kind: 'view' as const, id, warehouse });
const ref = (s: SecurableRef): SecurableRef => ({ kind: s.kind, id: s.id });

export function accessControlContract(label: string, make: () => Promise<ContractAdapter>, options: ContractOptions = {}): void {
  describe(`AccessControl contract (${label})`, () => {
    let open: ContractAdapter[] = [];
    let now = Date.now();
    const fresh = async (): Promise<AccessControl> => {
      const a = await make();
      open.push(a);
      return a.control;
    };
    afterEach(async () => {
      for (const a of open) await a.close?.();
      open = [];
    });
    const role = (tenant: string, name: string, description = '') => ({ tenant, name, description, createdAtMs: (now += 1000) });
    const grant = (tenant: string, roleName: string, privilege: Privilege, securable: GrantRecord['securable']): GrantRecord => ({
      tenant,
      role: roleName,
      privilege,
      securable,
      createdAtMs: (now += 1000),
    });
    const expectTime = (actual: number, passed: number) => {
      if (options.timestamps === 'server') expect(Math.abs(actual - Date.now())).toBeLessThan(120_000);
      else expect(actual).toBe(passed);
    };
    const strip = (grants: GrantRecord[]) => grants.map((g) => `${g.role} ${g.privilege} ${g.securable.kind}:${g.securable.id}@${g.securable.warehouse}`);

    it('creates roles once per tenant, reads them back and lists them in order', async () => {
      const c = await fresh();
      const analyst = role('default', 'analyst', 'reads sales');
      expect(await c.createRole(analyst)).toBe(true);
      expect(await c.createRole({ ...analyst, description: 'other' })).toBe(false);
      expect(await c.getRole('default', 'analyst')).toEqual(analyst);
      expect(await c.getRole('default', 'missing')).toBeUndefined();
      expect(await c.getRole('acme', 'analyst')).toBeUndefined();
      // The same name in another tenant is another role.
      const acmeAnalyst = role('acme', 'analyst', 'acme readers');
      expect(await c.createRole(acmeAnalyst)).toBe(true);
      const engineer = role('default', 'engineer');
      expect(await c.createRole(engineer)).toBe(true);
      expect(await c.listRoles('default')).toEqual([analyst, engineer]);
      expect(await c.listRoles('acme')).toEqual([acmeAnalyst]);
      expect(await c.listRoles('nobody')).toEqual([]);
      expect(await c.listRoles()).toEqual([acmeAnalyst, analyst, engineer]);
    });

    it('deletes a role only when nothing names it: in use by a member or by a grant', async () => {
      const c = await fresh();
      expect(await c.deleteRole('default', 'missing')).toBe('missing');
      await c.createRole(role('default', 'reader'));
      await c.createRole(role('acme', 'reader'));
      await c.addMember({ tenant: 'default', role: 'reader', member: principal('p1'), createdAtMs: now });
      expect(await c.deleteRole('default', 'reader')).toBe('in-use');
      // Another tenant's role of the same name is not in use.
      expect(await c.deleteRole('acme', 'reader')).toBe('deleted');
      expect(await c.removeMember('default', 'reader', principal('p1'))).toBe(true);
      await c.grant(grant('default', 'reader', 'table:read-data', table('t1')));
      expect(await c.deleteRole('default', 'reader')).toBe('in-use');
      expect(await c.getRole('default', 'reader')).toBeDefined();
      expect(await c.revoke('default', 'reader', 'table:read-data', ref(table('t1')))).toBe(true);
      expect(await c.deleteRole('default', 'reader')).toBe('deleted');
      expect(await c.getRole('default', 'reader')).toBeUndefined();
      expect(await c.deleteRole('default', 'reader')).toBe('missing');
      expect(await c.listRoles()).toEqual([]);
    });

    it('adds each member once, lists members in order and removes them', async () => {
      const c = await fresh();
      await c.createRole(role('default', 'reader'));
      const members = [user('alice'), group('analysts'), principal('p1'), user('alice', 'https://other.example'), group('analysts', 'asserted'), user('bob')];
      const times: number[] = [];
      for (const m of members) {
        times.push((now += 1000));
        expect(await c.addMember({ tenant: 'default', role: 'reader', member: m, createdAtMs: now })).toBe(true);
      }
      expect(await c.addMember({ tenant: 'default', role: 'reader', member: user('alice'), createdAtMs: now })).toBe(false);
      const listed = await c.listMembers('default', 'reader');
      expect(listed.map((a) => a.member)).toEqual([
        group('analysts', 'asserted'),
        group('analysts'),
        principal('p1'),
        user('alice'),
        user('bob'),
        user('alice', 'https://other.example'),
      ]);
      for (const a of listed) {
        expect(a).toMatchObject({ tenant: 'default', role: 'reader' });
        expectTime(a.createdAtMs, times[members.findIndex((m) => m.kind === a.member.kind && m.issuer === a.member.issuer && m.name === a.member.name)]!);
      }
      // A member is matched by kind, issuer and name together.
      expect(await c.removeMember('default', 'reader', user('analysts'))).toBe(false);
      expect(await c.removeMember('default', 'reader', group('analysts', 'https://third.example'))).toBe(false);
      expect(await c.removeMember('default', 'reader', group('analysts'))).toBe(true);
      expect(await c.removeMember('default', 'reader', group('analysts'))).toBe(false);
      expect((await c.listMembers('default', 'reader')).map((a) => a.member)).toEqual([
        group('analysts', 'asserted'),
        principal('p1'),
        user('alice'),
        user('bob'),
        user('alice', 'https://other.example'),
      ]);
      expect(await c.listMembers('default', 'nobody')).toEqual([]);
    });

    it('keeps members and roles of tenants apart', async () => {
      const c = await fresh();
      await c.createRole(role('default', 'reader'));
      await c.createRole(role('acme', 'reader'));
      await c.createRole(role('acme', 'writer'));
      await c.addMember({ tenant: 'acme', role: 'reader', member: user('alice'), createdAtMs: now });
      await c.addMember({ tenant: 'acme', role: 'writer', member: group('eng'), createdAtMs: now });
      expect(await c.listMembers('default', 'reader')).toEqual([]);
      expect(await c.rolesOf('default', [user('alice'), group('eng')])).toEqual([]);
      expect(await c.rolesOf('acme', [user('alice'), group('eng')])).toEqual(['reader', 'writer']);
      expect(await c.removeMember('default', 'reader', user('alice'))).toBe(false);
      expect(await c.listMembers('acme', 'reader')).toHaveLength(1);
    });

    it('answers the roles any of several members holds, each once, in order', async () => {
      const c = await fresh();
      for (const r of ['admin', 'analyst', 'reader', 'writer']) await c.createRole(role('default', r));
      await c.addMember({ tenant: 'default', role: 'writer', member: user('alice'), createdAtMs: now });
      await c.addMember({ tenant: 'default', role: 'reader', member: group('analysts'), createdAtMs: now });
      await c.addMember({ tenant: 'default', role: 'analyst', member: group('analysts'), createdAtMs: now });
      await c.addMember({ tenant: 'default', role: 'reader', member: user('alice'), createdAtMs: now });
      await c.addMember({ tenant: 'default', role: 'admin', member: principal('root'), createdAtMs: now });
      expect(await c.rolesOf('default', [])).toEqual([]);
      expect(await c.rolesOf('default', [user('alice')])).toEqual(['reader', 'writer']);
      expect(await c.rolesOf('default', [user('alice'), group('analysts')])).toEqual(['analyst', 'reader', 'writer']);
      // Same names, other issuer or other kind: nothing.
      expect(await c.rolesOf('default', [user('alice', 'https://other.example'), group('analysts', 'asserted'), principal('alice')])).toEqual([]);
      expect(await c.rolesOf('default', [principal('root')])).toEqual(['admin']);
    });

    it('grants each privilege once per role and securable, and revokes it', async () => {
      const c = await fresh();
      await c.createRole(role('default', 'reader'));
      const g = grant('default', 'reader', 'table:read-data', ns('n1'));
      expect(await c.grant(g)).toBe(true);
      expect(await c.grant({ ...g, createdAtMs: now + 5 })).toBe(false);
      // Another privilege, another securable of the same id but another kind: other grants.
      expect(await c.grant(grant('default', 'reader', 'table:read-metadata', ns('n1')))).toBe(true);
      expect(await c.grant(grant('default', 'reader', 'table:read-data', table('n1')))).toBe(true);
      const listed = await c.listGrants({ tenant: 'default', securable: ref(ns('n1')) });
      expect(strip(listed)).toEqual(['reader table:read-data namespace:n1@lake', 'reader table:read-metadata namespace:n1@lake']);
      expect(listed[0]).toMatchObject({ tenant: 'default', role: 'reader' });
      expectTime(listed[0]!.createdAtMs, g.createdAtMs);
      expect(await c.revoke('default', 'reader', 'table:read-data', ref(ns('n1')))).toBe(true);
      expect(await c.revoke('default', 'reader', 'table:read-data', ref(ns('n1')))).toBe(false);
      expect(await c.revoke('default', 'reader', 'table:write-data', ref(table('n1')))).toBe(false);
      expect(await c.revoke('default', 'other', 'table:read-data', ref(table('n1')))).toBe(false);
      expect(strip(await c.listGrants({ tenant: 'default', role: 'reader' }))).toEqual([
        'reader table:read-metadata namespace:n1@lake',
        'reader table:read-data table:n1@lake',
      ]);
    });

    it('lists grants by tenant, role, warehouse and securable, ordered by role, securable and privilege', async () => {
      const c = await fresh();
      for (const r of ['analyst', 'writer']) await c.createRole(role('default', r));
      await c.createRole(role('acme', 'analyst'));
      const grants = [
        grant('default', 'writer', 'table:write-data', table('t2')),
        grant('default', 'analyst', 'view:read', view('v1')),
        grant('default', 'analyst', 'table:read-data', table('t1')),
        grant('default', 'analyst', 'namespace:list', wh('lake')),
        grant('default', 'analyst', 'table:list', ns('n1', 'sea')),
        grant('default', 'analyst', 'grants:manage', wh('sea')),
        grant('default', 'writer', 'table:create', ns('n1', 'sea')),
        grant('acme', 'analyst', 'table:read-data', table('t9', 'pond')),
      ];
      for (const g of grants) expect(await c.grant(g)).toBe(true);
      // Securables sort by kind (namespace < table < view < warehouse), then id.
      expect(strip(await c.listGrants({ tenant: 'default' }))).toEqual([
        'analyst table:list namespace:n1@sea',
        'analyst table:read-data table:t1@lake',
        'analyst view:read view:v1@lake',
        'analyst namespace:list warehouse:lake@lake',
        'analyst grants:manage warehouse:sea@sea',
        'writer table:create namespace:n1@sea',
        'writer table:write-data table:t2@lake',
      ]);
      expect(strip(await c.listGrants({ tenant: 'default', role: 'writer' }))).toEqual([
        'writer table:create namespace:n1@sea',
        'writer table:write-data table:t2@lake',
      ]);
      expect(strip(await c.listGrants({ tenant: 'default', warehouse: 'sea' }))).toEqual([
        'analyst table:list namespace:n1@sea',
        'analyst grants:manage warehouse:sea@sea',
        'writer table:create namespace:n1@sea',
      ]);
      expect(strip(await c.listGrants({ tenant: 'default', warehouse: 'lake', role: 'analyst' }))).toEqual([
        'analyst table:read-data table:t1@lake',
        'analyst view:read view:v1@lake',
        'analyst namespace:list warehouse:lake@lake',
      ]);
      expect(strip(await c.listGrants({ tenant: 'default', securable: ref(ns('n1')) }))).toEqual([
        'analyst table:list namespace:n1@sea',
        'writer table:create namespace:n1@sea',
      ]);
      expect(strip(await c.listGrants({ tenant: 'default', securable: ref(ns('n1')), role: 'writer' }))).toEqual(['writer table:create namespace:n1@sea']);
      expect(strip(await c.listGrants({ tenant: 'acme' }))).toEqual(['analyst table:read-data table:t9@pond']);
      expect(await c.listGrants({ tenant: 'acme', securable: ref(table('t1')) })).toEqual([]);
      expect(await c.listGrants({ tenant: 'nobody' })).toEqual([]);
    });

    it('answers the grants of some roles on some securables in one batched call, whatever their number', async () => {
      const c = await fresh();
      for (const r of ['reader', 'writer', 'other']) await c.createRole(role('default', r));
      await c.createRole(role('acme', 'reader'));
      await c.grant(grant('default', 'reader', 'table:read-data', wh('lake')));
      await c.grant(grant('default', 'reader', 'table:list', ns('n1')));
      await c.grant(grant('default', 'writer', 'table:write-data', table('t7')));
      await c.grant(grant('default', 'other', 'table:drop', table('t7')));
      await c.grant(grant('acme', 'reader', 'table:drop', table('t7')));
      await c.grant(grant('default', 'reader', 'table:drop', table('t8')));
      // More securables than one SQL IN list takes (500): most hold nothing.
      const many: SecurableRef[] = [
        { kind: 'warehouse', id: 'lake' },
        { kind: 'namespace', id: 'n1' },
      ];
      for (let i = 0; i < 700; i++) many.push({ kind: 'table', id: `t${i}` });
      const found = await c.grantsOn('default', ['reader', 'writer'], many);
      expect(strip(found).sort()).toEqual([
        'reader table:drop table:t8@lake',
        'reader table:list namespace:n1@lake',
        'reader table:read-data warehouse:lake@lake',
        'writer table:write-data table:t7@lake',
      ]);
      expect(found.every((g) => g.tenant === 'default')).toBe(true);
      expect(
        strip(
          await c.grantsOn(
            'default',
            ['writer'],
            [
              { kind: 'table', id: 't7' },
              { kind: 'view', id: 't8' },
            ],
          ),
        ),
      ).toEqual(['writer table:write-data table:t7@lake']);
      // The kind is part of the securable: a namespace n1 is not a table n1.
      expect(await c.grantsOn('default', ['reader'], [{ kind: 'table', id: 'n1' }])).toEqual([]);
      expect(await c.grantsOn('default', [], many)).toEqual([]);
      expect(await c.grantsOn('default', ['reader'], [])).toEqual([]);
      expect(strip(await c.grantsOn('acme', ['reader', 'writer'], many))).toEqual(['reader table:drop table:t7@lake']);
    });

    it('forgets every grant on a dropped securable, of every role and tenant, and nothing else', async () => {
      const c = await fresh();
      await c.createRole(role('default', 'reader'));
      await c.createRole(role('acme', 'reader'));
      await c.grant(grant('default', 'reader', 'table:read-data', table('t1')));
      await c.grant(grant('default', 'reader', 'table:drop', table('t1')));
      await c.grant(grant('acme', 'reader', 'table:read-data', table('t1')));
      await c.grant(grant('default', 'reader', 'table:read-data', table('t2')));
      await c.grant(grant('default', 'reader', 'table:read-data', ns('t1')));
      await c.forgetSecurable({ kind: 'table', id: 't1' });
      expect(await c.listGrants({ tenant: 'default', securable: { kind: 'table', id: 't1' } })).toEqual([]);
      expect(await c.listGrants({ tenant: 'acme' })).toEqual([]);
      expect(strip(await c.listGrants({ tenant: 'default' }))).toEqual(['reader table:read-data namespace:t1@lake', 'reader table:read-data table:t2@lake']);
      await c.forgetSecurable({ kind: 'view', id: 'nothing' });
      await c.forgetSecurable({ kind: 'namespace', id: 't1' });
      await c.forgetSecurable({ kind: 'table', id: 't2' });
      expect(await c.listGrants({ tenant: 'default' })).toEqual([]);
      expect(await c.deleteRole('default', 'reader')).toBe('deleted');
      // A grant made again after forgetting is a new grant.
      await c.createRole(role('default', 'reader'));
      expect(await c.grant(grant('default', 'reader', 'table:read-data', table('t1')))).toBe(true);
    });

    it('keeps names that need escaping intact (issuers are URLs, names may hold spaces, colons, #, @, /, *)', async () => {
      const c = await fresh();
      const odd = { tenant: 'team a', name: 'read: all #1' };
      await c.createRole(role(odd.tenant, odd.name));
      const members = [user('user@example.com', 'https://idp.example/realms/x?y=1#z'), group('group: one/two *', 'asserted'), principal('svc:a#b')];
      for (const m of members) expect(await c.addMember({ tenant: odd.tenant, role: odd.name, member: m, createdAtMs: now })).toBe(true);
      expect((await c.listMembers(odd.tenant, odd.name)).map((a) => a.member)).toEqual([members[1], members[2], members[0]]);
      expect(await c.rolesOf(odd.tenant, [members[0]!])).toEqual([odd.name]);
      await c.grant(grant(odd.tenant, odd.name, 'table:read-data', { kind: 'warehouse', id: 'lake house*', warehouse: 'lake house*' }));
      await c.grant(grant(odd.tenant, odd.name, 'table:drop', { kind: 'table', id: 'id:with#odd@chars', warehouse: 'lake house*' }));
      expect(strip(await c.listGrants({ tenant: odd.tenant, warehouse: 'lake house*' }))).toEqual([
        `${odd.name} table:drop table:id:with#odd@chars@lake house*`,
        `${odd.name} table:read-data warehouse:lake house*@lake house*`,
      ]);
      expect(await c.revoke(odd.tenant, odd.name, 'table:drop', { kind: 'table', id: 'id:with#odd@chars' })).toBe(true);
    });
  });
}
