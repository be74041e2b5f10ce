/**
 * Policy-enforced files prepared for readers holding several restricted roles (catalog/planning/prepare-combinations.ts):
 * a principal holding a region-filter role and a mask role has an effective policy of its own (the filter and the
 * masks combined), a version no single role yields. After a policy change and after a commit the catalog prepares that
 * version too (the principal holds both roles in the stored assignments), so that principal's first plan writes no
 * derived file itself and answers the rows an on-demand derivation answers. With combinations off
 * (LAKEGATE_PLANNING_PREPARE_POLICY_COMBINATIONS=0, single roles only, as before) the same plan derives its files.
 * A combination held only through an IdP group of the token (a user holding one role directly and the other through
 * its group) cannot be known ahead: once such a user planned, the next preparation (here after a policy change) covers
 * it. At most that many combined versions are prepared per table: past the bound, the least held combination derives
 * on demand. A role membership change alone (a principal joining a second restricted role, or leaving a third) makes a
 * combination nobody held: it is prepared after that change, with no plan nor commit (trigger `membership`), so that
 * principal's first plan writes nothing either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { type Member, addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { bearerSender } from '../support/inject.js';
import { type LocalIdp, startLocalIdp } from '../support/local-idp.js';
import { type PeopleTable, type Person, POLICIES, derivedBy, masked, peopleTable, plan, planPaths, planRows } from '../support/policy-people.js';
import { tokenOf } from '../support/principals.js';

const EU = { kind: 'row-filter', roles: ['analysts'], filter: { type: 'eq', term: 'region', value: 'eu' } };
const MASKS = {
  kind: 'column-mask',
  roles: ['scorers'],
  masks: [
    { column: 'email', action: 'mask-alphanum' },
    { column: 'born', action: 'truncate-to-year' },
  ],
};
const SCORES = { kind: 'row-filter', roles: ['auditors'], filter: { type: 'gt-eq', term: 'id', value: 9 } };
const people = { type: 'table' as const, warehouse: 'default', namespace: ['crm'], name: 'people' };

async function createPolicies(t: PeopleTable, ...policies: object[]) {
  for (const p of policies) {
    const r = await t.admin('POST', POLICIES, p);
    expect(r.status, stringifyJson(r.body)).toBe(201);
  }
  await t.cat.lakegate.services.planning.prepared!.idle();
}

/** The two-role principal's first plan with combinations off: derived by the plan itself. */
let onDemand: Person[] | undefined;

describe('with single roles only prepared, a principal of two restricted roles', () => {
  let t: PeopleTable;
  beforeAll(async () => {
    t = await peopleTable({ LAKEGATE_PLANNING_PREPARE_POLICY_COMBINATIONS: '0' });
  });
  afterAll(() => t?.cat.close());

  it('derives its files in its first plan', async () => {
    const both = await t.member('analysts', 'scorers');
    await createPolicies(t, EU, MASKS);
    const prepared = t.derivedFiles();
    const body = await plan(both);
    expect(await derivedBy(t, 'plan')).toBe(2);
    expect(t.derivedFiles().filter((f) => !prepared.includes(f))).toEqual(planPaths(body));
    onDemand = await planRows(body);
    expect(onDemand).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });
});

describe('with role combinations prepared (the default)', () => {
  let t: PeopleTable;
  let both: Send;
  beforeAll(async () => {
    t = await peopleTable();
    both = await t.member('analysts', 'scorers');
  });
  afterAll(() => t?.cat.close());

  it("prepares the combined policy version after a policy change: the principal's first plan writes nothing", async () => {
    await createPolicies(t, EU, MASKS);
    const prepared = t.derivedFiles();
    const body = await plan(both);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(planPaths(body).every((p) => prepared.includes(p))).toBe(true);
    expect(onDemand).toBeDefined();
    expect(await planRows(body)).toEqual(onDemand);
  });

  it('prepares the files a commit adds for it too', async () => {
    await t.append('eu-3', 'eu', 3);
    await t.cat.lakegate.services.planning.prepared!.idle();
    const prepared = t.derivedFiles();
    const body = await plan(both);
    expect(planPaths(body)).toHaveLength(3);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });
});

describe('a user holding one role directly and the other through the IdP group of its token', () => {
  let t: PeopleTable;
  let idp: LocalIdp;
  beforeAll(async () => {
    idp = await startLocalIdp('roles');
    t = await peopleTable({ LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted()]) });
  });
  afterAll(async () => {
    await t?.cat.close();
    await idp?.close();
  });

  it('derives its first plan on demand, and has its combination prepared after the next policy change', async () => {
    await addMember(t.admin, 'analysts', { kind: 'group', issuer: idp.issuer, name: 'eu-team' });
    await addMember(t.admin, 'scorers', { kind: 'user', issuer: idp.issuer, name: 'alice' });
    const alice = bearerSender(t.cat.lakegate.app, await idp.token('alice', ['eu-team']));
    await createPolicies(t, EU, MASKS);
    await plan(alice);
    const before = await derivedBy(t, 'plan');
    expect(before).toBe(2);

    // One more mask policy: a new version for every reader; alice's combination was seen in her plan.
    await createPolicies(t, { ...MASKS, masks: [{ column: 'email', action: 'mask-alphanum' }] });
    const prepared = t.derivedFiles();
    const body = await plan(alice);
    expect(await derivedBy(t, 'plan')).toBe(before);
    expect(t.derivedFiles()).toEqual(prepared);
    const rows = await planRows(body);
    expect(rows).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });
});

describe('past the bound of combined versions per table', () => {
  let t: PeopleTable;
  beforeAll(async () => {
    t = await peopleTable({ LAKEGATE_PLANNING_PREPARE_POLICY_COMBINATIONS: '1' });
    await grant(t.admin, 'auditors', ['table:read-data'], people);
  });
  afterAll(() => t?.cat.close());

  it('prepares the most held combination only; the other derives on demand', async () => {
    const held = [await t.member('analysts', 'scorers'), await t.member('analysts', 'scorers')];
    const rarer = await t.member('analysts', 'auditors');
    await createPolicies(t, EU, MASKS, SCORES);
    const prepared = t.derivedFiles();
    const body = await plan(held[0]!);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));

    const other = await plan(rarer);
    expect(await derivedBy(t, 'plan')).toBeGreaterThan(0);
    expect(await planRows(other)).toEqual(t.liveRows().filter((r) => r.region === 'eu' || r.id >= 9n));
  });
});

/** A new principal, signed in, and the member it is in role assignments. */
async function principal(t: PeopleTable, name: string): Promise<{ send: Send; member: Member }> {
  const p = await t.cat.lakegate.principals.create(name);
  return {
    send: bearerSender(t.cat.lakegate.app, await tokenOf(t.cat.lakegate.app, p.clientId, p.clientSecret)),
    member: { kind: 'principal', name: p.clientId },
  };
}

describe('a role membership change alone', () => {
  let t: PeopleTable;
  const idle = () => t.cat.lakegate.services.planning.prepared!.idle();
  beforeAll(async () => {
    t = await peopleTable();
    await grant(t.admin, 'auditors', ['table:read-data'], people);
  });
  afterAll(() => t?.cat.close());

  it('prepares the combination of a principal joining a second restricted role: its first plan writes nothing', async () => {
    const joiner = await principal(t, 'joiner');
    await addMember(t.admin, 'analysts', joiner.member);
    await createPolicies(t, EU, MASKS);
    const before = t.derivedFiles();
    expect(await derivedBy(t, 'membership')).toBe(0);

    await addMember(t.admin, 'scorers', joiner.member);
    await idle();
    // The combined version (the region filter with the masks): eu-1 and eu-2, with no plan nor commit since.
    expect(await derivedBy(t, 'membership')).toBe(2);
    const prepared = t.derivedFiles();
    expect(prepared.filter((f) => !before.includes(f))).toHaveLength(2);
    const body = await plan(joiner.send);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(planPaths(body).every((p) => prepared.includes(p))).toBe(true);
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });

  it('prepares the combination left to a principal leaving a third restricted role', async () => {
    const leaver = await principal(t, 'leaver');
    for (const role of ['analysts', 'scorers', 'auditors']) await addMember(t.admin, role, leaver.member);
    await createPolicies(t, SCORES);
    const before = t.derivedFiles();
    const membership = await derivedBy(t, 'membership');
    const removed = await t.admin('POST', '/management/v1/roles/analysts/members/remove', leaver.member);
    expect(removed.status).toBe(204);
    await idle();
    // scorers and auditors (the masks and id >= 9, a version nobody held): us-1 and eu-2, the files holding such ids.
    expect(await derivedBy(t, 'membership')).toBe(membership + 2);
    const prepared = t.derivedFiles();
    expect(prepared.filter((f) => !before.includes(f))).toHaveLength(2);
    const body = await plan(leaver.send);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.id >= 9n)));
  });
});
