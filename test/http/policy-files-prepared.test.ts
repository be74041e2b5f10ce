/**
 * Policy-enforced files prepared ahead of the plans (catalog/planning/prepare-policy-files.ts): after a policy change
 * and after a commit, the catalog derives the current snapshot's files for each single role's policy version in the
 * background, so the restricted reader's first plan (once that work is done, awaited through the preparer's idle())
 * writes no derived file itself (the /metrics counter by trigger, and the files in storage, say so) and answers the
 * rows an on-demand derivation answers (the same table and policies with preparation off, and the source rows
 * filtered and masked by the test itself). A changed policy gets files of its own version; the old ones are never
 * named again. A preparation whose policy changed in another process (written to the shared database, no event here)
 * stops at its next step: the real rewriter is held at its first file while the change is made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import {
  EU,
  MASKS,
  type PeopleTable,
  type Person,
  POLICIES,
  SCORES,
  derivedBy,
  heldRewriter,
  masked,
  peopleTable,
  plan,
  planPaths,
  planRows,
} from '../support/policy-people.js';

/** The analyst's first plan with preparation off: derived by the plan itself. */
let onDemand: Person[] | undefined;

describe('with preparation off, the first restricted plan derives its files itself', () => {
  let t: PeopleTable;
  beforeAll(async () => {
    t = await peopleTable({ LAKEGATE_PLANNING_PREPARE_POLICY_FILES: 'false' });
  });
  afterAll(() => t?.cat.close());

  it('writes them inline', async () => {
    expect(t.cat.lakegate.services.planning.prepared).toBeUndefined();
    const analyst = await t.member('analysts');
    for (const p of [EU, MASKS]) expect((await t.admin('POST', POLICIES, p)).status).toBe(201);
    expect(t.derivedFiles()).toEqual([]);
    const body = await plan(analyst);
    expect(await derivedBy(t, 'plan')).toBe(2);
    expect(t.derivedFiles()).toEqual(planPaths(body));
    onDemand = await planRows(body);
    expect(onDemand).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });
});

describe('with preparation on (the default)', () => {
  let t: PeopleTable;
  let analyst: Send;
  let scorer: Send;
  let euPolicy: { id: string; version: number };
  const idle = () => t.cat.lakegate.services.planning.prepared!.idle();

  beforeAll(async () => {
    t = await peopleTable();
    analyst = await t.member('analysts');
    scorer = await t.member('scorers');
  });
  afterAll(() => t?.cat.close());

  it('prepares every policy version a single role yields after a policy change; the first plans write nothing', async () => {
    const eu = await t.admin('POST', POLICIES, EU);
    expect(eu.status).toBe(201);
    euPolicy = eu.body;
    for (const p of [MASKS, SCORES]) expect((await t.admin('POST', POLICIES, p)).status).toBe(201);
    await idle();
    const prepared = t.derivedFiles();
    expect(await derivedBy(t, 'prepared')).toBeGreaterThanOrEqual(4);

    const first = await plan(analyst);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(planPaths(first).every((p) => prepared.includes(p))).toBe(true);
    const rows = await planRows(first);
    expect(rows).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
    expect(rows).toEqual(onDemand);

    const scored = await plan(scorer);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(scored)).toEqual(t.liveRows().filter((r) => r.id >= 9n));
  });

  it('prepares the files a commit adds; the next restricted plan writes nothing', async () => {
    await t.append('eu-3', 'eu', 3);
    await idle();
    const prepared = t.derivedFiles();
    const body = await plan(analyst);
    expect(planPaths(body)).toHaveLength(3);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });

  it('gives a changed policy files of its own version, and never names the old ones again', async () => {
    const old = planPaths(await plan(analyst));
    // Two changes in a row: the first one's preparation is superseded (aborted, or found stale) by the second.
    let version = euPolicy.version;
    for (const region of ['eu', 'us']) {
      const r = await t.admin('PUT', `${POLICIES}/${euPolicy.id}`, { roles: ['analysts'], filter: { type: 'eq', term: 'region', value: region }, version });
      expect(r.status, stringifyJson(r.body)).toBeLessThan(300);
      version = r.body.version;
    }
    await idle();
    const prepared = t.derivedFiles();
    const body = await plan(analyst);
    const paths = planPaths(body);
    expect(paths).toHaveLength(1);
    expect(paths.some((p) => old.includes(p))).toBe(false);
    expect(paths[0]!.split('/').at(-2)).not.toBe(old[0]!.split('/').at(-2));
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.region === 'us')));
  });

  it('prepares the combined policy version of a caller of several roles once it joined them (trigger membership)', async () => {
    // (It used to be derived by the caller's first plan; since role membership changes trigger a preparation, the
    // plan would race that preparation: it is awaited here, and the plan writes nothing.)
    const before = await derivedBy(t, 'plan');
    const both = await t.member('analysts', 'scorers');
    await idle();
    expect(await derivedBy(t, 'membership')).toBeGreaterThan(0);
    const body = await plan(both);
    expect(await derivedBy(t, 'plan')).toBe(before);
    // The union of the two row filters (region us, or id >= 9), with the analysts' masks.
    expect(await planRows(body)).toEqual(masked(t.liveRows().filter((r) => r.region === 'us' || r.id >= 9n)));
  });
});

describe('a restricted plan arriving while its files are being prepared', () => {
  let t: PeopleTable;
  const held = heldRewriter();
  beforeAll(async () => {
    t = await peopleTable({}, { rewriter: held.rewriter });
  });
  afterAll(() => t?.cat.close());

  it('waits for the files in flight instead of writing them again', async () => {
    const analyst = await t.member('analysts');
    expect((await t.admin('POST', POLICIES, EU)).status).toBe(201);
    await held.reached;
    // The preparation holds eu-1 and eu-2 (the files the row filter keeps); the plan needs the same two.
    const planned = plan(analyst);
    await new Promise((r) => setImmediate(r));
    held.release();
    const body = await planned;
    await t.cat.lakegate.services.planning.prepared!.idle();
    expect(held.inputs.sort()).toEqual(['eu-1.parquet', 'eu-2.parquet']);
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(planPaths(body));
    expect(await planRows(body)).toEqual(t.liveRows().filter((r) => r.region === 'eu'));
  });
});

describe('a preparation whose policy version changed elsewhere', () => {
  let t: PeopleTable;
  let skew = 0;
  const held = heldRewriter();
  beforeAll(async () => {
    t = await peopleTable({}, { rewriter: held.rewriter, clock: { now: () => Date.now() + skew } });
    // Two more data manifests of eu files: the preparation checks again before each.
    await t.append('eu-3', 'eu', 2);
    await t.append('eu-4', 'eu', 2);
  });
  afterAll(() => t?.cat.close());

  it('stops at its next step, deriving nothing more for the old version', async () => {
    const created = await t.admin('POST', POLICIES, EU);
    expect(created.status).toBe(201);
    await held.reached;
    // Another process changes the policy: written to the shared database with no event for this one.
    const store = t.cat.lakegate.store.policies;
    const policy = (await store.get('default', created.body.id))!;
    expect(policy).toBeDefined();
    expect(await store.update({ ...policy, filter: { type: 'eq', term: 'region', value: 'us' }, version: policy.version + 1 }, policy.version)).toBe(true);
    skew += 5_000;
    held.release();
    await t.cat.lakegate.services.planning.prepared!.idle();
    const metrics = (await t.cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^lakegate_policy_files_preparations_total\{outcome="superseded"\} 1$/m);
    // The two files in flight when it changed (eu-1 and eu-2, of the first manifest), not eu-3 nor eu-4.
    expect(await derivedBy(t, 'prepared')).toBe(2);
    expect(t.derivedFiles()).toHaveLength(2);
  });
});
