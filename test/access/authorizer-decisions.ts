/**
 * Decisions of an Authorizer held to the rules of catalog/privileges.ts,
 * for any adapter: every privilege granted on every kind of securable it may
 * be granted on, then every privilege (and "any") asked on every securable of
 * a small tree — the answer must be "yes" exactly where the securable is the
 * grant's or below it (inheritance) and the privilege is in the closure of
 * the granted one (implications: write-data ⇒ read-data ⇒ read-metadata,
 * view:replace ⇒ view:read, warehouse:manage ⇒ everything). The expectation
 * is computed from privileges.ts alone, never from an adapter.
 *
 * Then: identities (users by issuer, IdP groups only known from the token,
 * principals), several roles combined, tenants apart, the admin role,
 * explain, revocation, deep namespaces, many groups and large batches.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN_ROLE_NAME,
  type AccessControl,
  type AccessQuery,
  type Authorizer,
  type Member,
  type SecurablePath,
} from '../../packages/server/src/catalog/ports/access.js';
import { PRIVILEGES, type Privilege, type SecurableKind, closureOf, grantableOn } from '../../packages/server/src/catalog/privileges.js';

export interface DecisionAdapter {
  control: AccessControl;
  authorizer: Authorizer;
}

/*
 * The tree: warehouse w ─ namespace a ─ namespace b ─ table t, view v
 *                      │              └ table u
 *                      └ namespace c (a sibling: never under a grant on a)
 */
const W = 'w';
const P = {
  w: { warehouse: W, namespaces: [] },
  a: { warehouse: W, namespaces: ['a'] },
  b: { warehouse: W, namespaces: ['a', 'b'] },
  c: { warehouse: W, namespaces: ['c'] },
  t: { warehouse: W, namespaces: ['a', 'b'], object: { kind: 'table', id: 't' } },
  v: { warehouse: W, namespaces: ['a', 'b'], object: { kind: 'view', id: 'v' } },
  u: { warehouse: W, namespaces: ['a'], object: { kind: 'table', id: 'u' } },
} satisfies Record<string, SecurablePath>;
type Node = keyof typeof P;
const NODES = Object.keys(P) as Node[];
/** Which nodes lie at or below each node. */
const BELOW: Record<Node, Node[]> = { w: NODES, a: ['a', 'b', 't', 'v', 'u'], b: ['b', 't', 'v'], c: ['c'], t: ['t'], v: ['v'], u: ['u'] };
/** The node a grant on a kind is placed at (its securable). */
const GRANT_AT: Record<SecurableKind, Node[]> = { warehouse: ['w'], namespace: ['a', 'b'], table: ['t'], view: ['v'] };
const refOf = (node: Node) => {
  const path: SecurablePath = P[node];
  if (path.object) return { kind: path.object.kind, id: path.object.id, warehouse: W };
  if (path.namespaces.length > 0) return { kind: 'namespace' as const, id: path.namespaces.at(-1)!, warehouse: W };
  return { kind: 'warehouse' as const, id: W, warehouse: W };
};

const principal = (name: string): Member => ({ kind: 'principal', issuer: '', name });
const IDP = 'https://idp.example';

export function authorizerDecisions(label: string, make: () => Promise<DecisionAdapter>): void {
  describe(`Authorizer decisions (${label})`, () => {
    let n = 0;
    const now = () => Date.now();
    /** A fresh role held by a fresh principal, in tenant `tenant`. */
    const holder = async (d: DecisionAdapter, tenant = 'default') => {
      const role = `r${++n}`;
      const member = principal(`p${n}`);
      await d.control.createRole({ tenant, name: role, description: '', createdAtMs: now() });
      await d.control.addMember({ tenant, role, member, createdAtMs: now() });
      return { role, member };
    };
    const grantOn = (d: DecisionAdapter, role: string, privilege: Privilege, node: Node, tenant = 'default') =>
      d.control.grant({ tenant, role, privilege, securable: refOf(node), createdAtMs: now() });
    const everyQuery: Array<{ node: Node; privilege: Privilege | 'any' }> = NODES.flatMap((node) =>
      [...PRIVILEGES, 'any' as const].map((privilege) => ({ node, privilege })),
    );

    it('answers every privilege on every securable as the grant, inheritance and implications say', async () => {
      const d = await make();
      const cases = PRIVILEGES.flatMap((privilege) => grantableOn(privilege).flatMap((kind) => GRANT_AT[kind].map((at) => ({ privilege, at }))));
      expect(cases.length).toBeGreaterThan(40);
      const failures: string[] = [];
      for (const c of cases) {
        const h = await holder(d);
        await grantOn(d, h.role, c.privilege, c.at);
        const queries: AccessQuery[] = everyQuery.map((q) => ({ privilege: q.privilege, path: P[q.node] }));
        const answers = await d.authorizer.check('default', [h.member], queries);
        everyQuery.forEach((q, i) => {
          const expected = BELOW[c.at].includes(q.node) && (q.privilege === 'any' || closureOf(c.privilege).has(q.privilege));
          if (answers[i] !== expected) failures.push(`${c.privilege} on ${c.at}: ${q.privilege} on ${q.node} → ${answers[i]}, expected ${expected}`);
        });
      }
      expect(failures).toEqual([]);
    });

    it('says no to everything without grants, without members, and for unknown identities', async () => {
      const d = await make();
      const h = await holder(d);
      const queries = everyQuery.map((q) => ({ privilege: q.privilege, path: P[q.node] }));
      expect((await d.authorizer.check('default', [h.member], queries)).some(Boolean)).toBe(false);
      await grantOn(d, h.role, 'warehouse:manage', 'w');
      expect((await d.authorizer.check('default', [], queries)).some(Boolean)).toBe(false);
      expect((await d.authorizer.check('default', [principal('stranger')], queries)).some(Boolean)).toBe(false);
      expect(await d.authorizer.check('default', [h.member], [])).toEqual([]);
    });

    it('matches users by issuer and subject, and groups of the token by issuer and name', async () => {
      const d = await make();
      await d.control.createRole({ tenant: 'default', name: 'readers', description: '', createdAtMs: now() });
      await d.control.createRole({ tenant: 'default', name: 'writers', description: '', createdAtMs: now() });
      await d.control.addMember({ tenant: 'default', role: 'readers', member: { kind: 'group', issuer: IDP, name: 'analysts' }, createdAtMs: now() });
      await d.control.addMember({ tenant: 'default', role: 'writers', member: { kind: 'user', issuer: IDP, name: 'alice' }, createdAtMs: now() });
      await grantOn(d, 'readers', 'table:read-data', 'a');
      await grantOn(d, 'writers', 'table:write-data', 't');
      const alice = (issuer: string, groups: string[]): Member[] => [
        { kind: 'user', issuer, name: 'alice' },
        ...groups.map((g) => ({ kind: 'group' as const, issuer, name: g })),
      ];
      const ask = (members: Member[]) =>
        d.authorizer.check('default', members, [
          { privilege: 'table:read-data', path: P.u },
          { privilege: 'table:write-data', path: P.t },
          { privilege: 'table:write-data', path: P.u },
        ]);
      expect(await ask(alice(IDP, ['analysts']))).toEqual([true, true, false]);
      expect(await ask(alice(IDP, []))).toEqual([false, true, false]);
      expect(
        await ask([
          { kind: 'user', issuer: IDP, name: 'bob' },
          { kind: 'group', issuer: IDP, name: 'analysts' },
        ]),
      ).toEqual([true, false, false]);
      // The same names vouched for by another issuer are other identities; so is a principal of the same name.
      expect(await ask(alice('https://other.example', ['analysts']))).toEqual([false, false, false]);
      expect(await ask([principal('alice'), { kind: 'user', issuer: IDP, name: 'analysts' }])).toEqual([false, false, false]);
    });

    it('finds the one group among many that holds the role (more identities than one request carries)', async () => {
      const d = await make();
      await d.control.createRole({ tenant: 'default', name: 'deep', description: '', createdAtMs: now() });
      await d.control.addMember({ tenant: 'default', role: 'deep', member: { kind: 'group', issuer: IDP, name: 'g237' }, createdAtMs: now() });
      await grantOn(d, 'deep', 'table:read-metadata', 'b');
      const groups = Array.from({ length: 250 }, (_, i) => ({ kind: 'group' as const, issuer: IDP, name: `g${i}` }));
      const members: Member[] = [{ kind: 'user', issuer: IDP, name: 'carol' }, ...groups];
      expect(
        await d.authorizer.check('default', members, [
          { privilege: 'table:read-metadata', path: P.t },
          { privilege: 'table:read-metadata', path: P.u },
        ]),
      ).toEqual([true, false]);
      expect(await d.authorizer.check('default', members.slice(0, 200), [{ privilege: 'table:read-metadata', path: P.t }])).toEqual([false]);
    });

    it('combines the grants of several roles, and forgets a revoked one', async () => {
      const d = await make();
      const one = await holder(d);
      await d.control.createRole({ tenant: 'default', name: `${one.role}x`, description: '', createdAtMs: now() });
      await d.control.addMember({ tenant: 'default', role: `${one.role}x`, member: one.member, createdAtMs: now() });
      await grantOn(d, one.role, 'table:list', 'a');
      await grantOn(d, `${one.role}x`, 'table:read-data', 't');
      const queries: AccessQuery[] = [
        { privilege: 'table:list', path: P.b },
        { privilege: 'table:read-metadata', path: P.t },
        { privilege: 'table:read-data', path: P.u },
      ];
      expect(await d.authorizer.check('default', [one.member], queries)).toEqual([true, true, false]);
      expect(await d.control.revoke('default', `${one.role}x`, 'table:read-data', { kind: 'table', id: 't' })).toBe(true);
      expect(await d.authorizer.check('default', [one.member], queries)).toEqual([true, false, false]);
      expect(await d.control.removeMember('default', one.role, one.member)).toBe(true);
      expect(await d.authorizer.check('default', [one.member], queries)).toEqual([false, false, false]);
    });

    it('keeps tenants apart: a role of one tenant decides nothing in another', async () => {
      const d = await make();
      const user: Member = { kind: 'user', issuer: IDP, name: 'dave' };
      await d.control.createRole({ tenant: 'acme', name: 'owners', description: '', createdAtMs: now() });
      await d.control.addMember({ tenant: 'acme', role: 'owners', member: user, createdAtMs: now() });
      await d.control.addMember({ tenant: 'acme', role: ADMIN_ROLE_NAME, member: user, createdAtMs: now() });
      await grantOn(d, 'owners', 'warehouse:manage', 'w', 'acme');
      expect(await d.authorizer.check('acme', [user], [{ privilege: 'table:drop', path: P.t }])).toEqual([true]);
      expect(
        await d.authorizer.check(
          'default',
          [user],
          [
            { privilege: 'table:drop', path: P.t },
            { privilege: 'any', path: P.w },
          ],
        ),
      ).toEqual([false, false]);
      expect(await d.authorizer.isAdmin('acme', [user])).toBe(true);
      expect(await d.authorizer.isAdmin('default', [user])).toBe(false);
      expect(await d.authorizer.explain('default', [user], 'table:drop', P.t)).toEqual([]);
    });

    it('knows the admins of a tenant: principals, users and groups holding its built-in admin role', async () => {
      const d = await make();
      const admins: Member[] = [principal('root'), { kind: 'group', issuer: IDP, name: 'ops' }];
      for (const member of admins) await d.control.addMember({ tenant: 'default', role: ADMIN_ROLE_NAME, member, createdAtMs: now() });
      const h = await holder(d);
      await grantOn(d, h.role, 'warehouse:manage', 'w');
      expect(await d.authorizer.isAdmin('default', [principal('root')])).toBe(true);
      expect(
        await d.authorizer.isAdmin('default', [
          { kind: 'user', issuer: IDP, name: 'erin' },
          { kind: 'group', issuer: IDP, name: 'ops' },
        ]),
      ).toBe(true);
      expect(await d.authorizer.isAdmin('default', [{ kind: 'user', issuer: IDP, name: 'erin' }])).toBe(false);
      // warehouse:manage is every privilege in the warehouse, not administration of the tenant.
      expect(await d.authorizer.isAdmin('default', [h.member])).toBe(false);
      expect(await d.authorizer.isAdmin('default', [])).toBe(false);
    });

    it('explains through which grants a privilege is held, and only those', async () => {
      const d = await make();
      const h = await holder(d);
      const other = await holder(d);
      await grantOn(d, h.role, 'table:write-data', 'a');
      await grantOn(d, h.role, 'table:read-metadata', 't');
      await grantOn(d, h.role, 'table:drop', 't');
      await grantOn(d, h.role, 'table:read-data', 'u');
      await grantOn(d, other.role, 'warehouse:manage', 'w');
      const summary = (grants: Awaited<ReturnType<Authorizer['explain']>>) =>
        grants.map((g) => `${g.role} ${g.privilege} ${g.securable.kind}:${g.securable.id}@${g.securable.warehouse}`).sort();
      expect(summary(await d.authorizer.explain('default', [h.member], 'table:read-metadata', P.t))).toEqual([
        `${h.role} table:read-metadata table:t@w`,
        `${h.role} table:write-data namespace:a@w`,
      ]);
      expect(summary(await d.authorizer.explain('default', [h.member], 'table:write-data', P.t))).toEqual([`${h.role} table:write-data namespace:a@w`]);
      expect(summary(await d.authorizer.explain('default', [h.member], 'view:read', P.v))).toEqual([]);
      expect(summary(await d.authorizer.explain('default', [other.member], 'view:read', P.v))).toEqual([`${other.role} warehouse:manage warehouse:w@w`]);
      expect(await d.authorizer.explain('default', [principal('nobody')], 'table:drop', P.t)).toEqual([]);
    });

    it('follows inheritance through the deepest namespaces', async () => {
      const d = await make();
      const h = await holder(d);
      const levels = Array.from({ length: 16 }, (_, i) => `deep${i}`);
      await d.control.grant({
        tenant: 'default',
        role: h.role,
        privilege: 'view:replace',
        securable: { kind: 'namespace', id: 'deep0', warehouse: W },
        createdAtMs: now(),
      });
      const path: SecurablePath = { warehouse: W, namespaces: levels, object: { kind: 'view', id: 'deepview' } };
      const sideways: SecurablePath = { warehouse: W, namespaces: ['other', ...levels.slice(1)], object: { kind: 'view', id: 'deepview' } };
      expect(
        await d.authorizer.check(
          'default',
          [h.member],
          [
            { privilege: 'view:read', path },
            { privilege: 'view:drop', path },
            { privilege: 'view:read', path: sideways },
          ],
        ),
      ).toEqual([true, false, false]);
    });

    it('answers large batches in order', async () => {
      const d = await make();
      const h = await holder(d);
      for (let i = 0; i < 300; i += 7)
        await d.control.grant({
          tenant: 'default',
          role: h.role,
          privilege: 'table:read-metadata',
          securable: { kind: 'table', id: `bt${i}`, warehouse: W },
          createdAtMs: now(),
        });
      const queries: AccessQuery[] = Array.from({ length: 300 }, (_, i) => ({
        privilege: i % 2 === 0 ? 'table:read-metadata' : 'table:drop',
        path: { warehouse: W, namespaces: ['a'], object: { kind: 'table', id: `bt${i}` } },
      }));
      const answers = await d.authorizer.check('default', [h.member], queries);
      expect(answers).toEqual(queries.map((_, i) => i % 7 === 0 && i % 2 === 0));
    });
  });
}
