/**
 * The startup catch-up of policy-enforced files (catalog/planning/prepare-policy-files.ts): policies created while a
 * process was not preparing (preparation off, standing for a server that was down or another replica) leave no
 * trigger; a catalog started on the same database with preparation on offers every table with a policy to its
 * queue once ready, so the restricted reader's first plan (after that work, awaited through the preparer's idle())
 * writes no derived file and answers the rows an on-demand derivation answers. Files already derived are found by
 * their side files and not written again; with the setting off nothing is derived at startup; a close while the
 * catch-up derives stops it after the files in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  metric,
  peopleTable,
  plan,
  planPaths,
  planRows,
} from '../support/policy-people.js';
import { tempDir } from '../support/temp.js';

const OFF = { LAKEGATE_PLANNING_PREPARE_POLICY_FILES: 'false' };

/** The people table on a data dir of the test's own (a restart keeps it), with a second data manifest and `policies`. */
async function tableWith(env: Record<string, string>, policies: object[]): Promise<{ t: PeopleTable; cleanup: () => void }> {
  const dir = tempDir();
  const t = await peopleTable(env, { dataDir: dir.dir });
  await t.append('eu-3', 'eu', 3);
  for (const p of policies) expect((await t.admin('POST', POLICIES, p)).status).toBe(201);
  return { t, cleanup: dir.cleanup };
}

/** The analyst's first plan after a restart with preparation off: derived by the plan itself. */
let onDemand: Person[] | undefined;

describe('with preparation off, a restart derives nothing', () => {
  let t: PeopleTable;
  let cleanup = () => undefined as void;
  beforeAll(async () => {
    ({ t, cleanup } = await tableWith(OFF, [EU, MASKS]));
    await t.restart(OFF);
  });
  afterAll(async () => {
    await t?.cat.close();
    cleanup();
  });

  it('leaves the first restricted plan to derive its files inline', async () => {
    expect(t.cat.lakegate.services.planning.prepared).toBeUndefined();
    await t.cat.lakegate.app.ready();
    expect(t.derivedFiles()).toEqual([]);
    expect(await derivedBy(t, 'startup')).toBe(0);
    const body = await plan(await t.member('analysts'));
    expect(await derivedBy(t, 'plan')).toBe(3);
    expect(t.derivedFiles()).toEqual(planPaths(body));
    onDemand = await planRows(body);
    expect(onDemand).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
  });
});

describe('a restart with preparation on catches up the tables with policies', () => {
  let t: PeopleTable;
  let cleanup = () => undefined as void;
  beforeAll(async () => {
    ({ t, cleanup } = await tableWith(OFF, [EU, MASKS, SCORES]));
    expect(t.derivedFiles()).toEqual([]);
    await t.restart();
  });
  afterAll(async () => {
    await t?.cat.close();
    cleanup();
  });

  it('derives every single-role policy version once ready; the first restricted plans write nothing', async () => {
    await t.cat.lakegate.services.planning.prepared!.idle();
    const prepared = t.derivedFiles();
    // The analysts' version: eu-1, eu-2, eu-3; the scorers': the files holding an id >= 9 (us-1, eu-2, eu-3).
    expect(await derivedBy(t, 'startup')).toBe(prepared.length);
    expect(prepared.length).toBeGreaterThanOrEqual(5);
    expect(await metric(t, 'lakegate_policy_files_preparations_total{outcome="completed"}')).toBe(1);

    const first = await plan(await t.member('analysts'));
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    const rows = await planRows(first);
    expect(rows).toEqual(masked(t.liveRows().filter((r) => r.region === 'eu')));
    expect(rows).toEqual(onDemand);

    const scored = await plan(await t.member('scorers'));
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    expect(await planRows(scored)).toEqual(t.liveRows().filter((r) => r.id >= 9n));
  });
});

describe('a restart where the files were prepared before', () => {
  let t: PeopleTable;
  let cleanup = () => undefined as void;
  beforeAll(async () => {
    ({ t, cleanup } = await tableWith({}, [EU, MASKS]));
  });
  afterAll(async () => {
    await t?.cat.close();
    cleanup();
  });

  it('finds them by their side files and writes none again', async () => {
    await t.cat.lakegate.services.planning.prepared!.idle();
    const prepared = t.derivedFiles();
    expect(prepared).toHaveLength(3);
    await t.restart();
    await t.cat.lakegate.services.planning.prepared!.idle();
    expect(await metric(t, 'lakegate_policy_files_preparations_total{outcome="completed"}')).toBe(1);
    expect(await derivedBy(t, 'startup')).toBe(0);
    expect(t.derivedFiles()).toEqual(prepared);
    const body = await plan(await t.member('analysts'));
    expect(await derivedBy(t, 'plan')).toBe(0);
    expect(planPaths(body)).toEqual(prepared);
  });
});

describe('a close while the catch-up derives', () => {
  let t: PeopleTable;
  let cleanup = () => undefined as void;
  const held = heldRewriter();
  beforeAll(async () => {
    ({ t, cleanup } = await tableWith(OFF, [EU, MASKS, SCORES]));
    await t.restart({}, { rewriter: held.rewriter });
  });
  afterAll(() => cleanup());

  it('stops it after the files in flight, and close resolves once it stopped', async () => {
    await held.reached;
    // Released once shutdown has stopped the preparer (what runs is aborted then, synchronously).
    const prepared = t.cat.lakegate.services.planning.prepared!;
    const stop = prepared.stop.bind(prepared);
    prepared.stop = () => {
      const stopped = stop();
      held.release();
      return stopped;
    };
    await t.cat.close();
    // The analysts' first step (eu-1 and eu-2, two at a time), then nothing: not eu-3, nor the scorers' version.
    expect(held.inputs.sort()).toEqual(['eu-1.parquet', 'eu-2.parquet']);
    expect(t.derivedFiles()).toHaveLength(2);
  });
});
