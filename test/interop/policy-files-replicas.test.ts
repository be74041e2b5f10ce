/**
 * Policy-enforced files prepared once across replicas on one PostgreSQL (issue 53; Coherence.claim,
 * persistence/postgres/replica-claims.ts): two replicas on one database and one file warehouse (in-process, and one in a child process). Each
 * derivation of a file is claimed cluster-wide, so
 *  - a plan on replica B while replica A prepares the same files waits for A's and writes none of its own (before:
 *    B derived every file itself, and A's copies were written and thrown away);
 *  - two replicas catching up at once (both started with the same tables to prepare) write each file once (before:
 *    both derived every file, the loser of each side file deleting its copy);
 *  - a claimant that is killed (a replica in a process of its own, SIGKILL while it derives: PostgreSQL ends its
 *    sessions and frees its advisory locks) does not block the waiting plan, which then derives the files itself;
 *  - a preparation made after a change on A is announced (prepare-replicas.ts), and B prepares the table too, finding
 *    the files: B's first restricted plan then makes no storage call at all (before: it read the manifests and checked
 *    and read each side file, seven calls);
 *  - a role membership change made on A is prepared once across both (each file written once); its member's first
 *    plan on B writes nothing (this held before too: a guard).
 * The first two fail on the code before claims (checked by reverting the claim to a plain call), the third finds
 * no claim waiting there, the fourth fails without the announcement (checked likewise); the third is
 * the claims' liveness. Progress is observed, never slept for: the held rewriter's inputs, ungranted advisory locks in
 * pg_locks (a waiting claim), or the plan having answered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTracing } from '@lakegate/server/tracing';
import {
  EU,
  MASKS,
  type PeopleTable,
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
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { usePostgresCluster, waitingClaims } from '../support/postgres-cluster.js';
import { tokenOf } from '../support/principals.js';
import { tempDir } from '../support/temp.js';
import { waitFor } from '../support/wait-for.js';

const cluster = usePostgresCluster('lakegate-pg-prepare-');
const OFF = { LAKEGATE_PLANNING_PREPARE_POLICY_FILES: 'false' };

const envOf = (database: string) => ({
  LAKEGATE_DATABASE: database,
  LAKEGATE_SECRET_KEY: 'p'.repeat(43) + '=',
  LAKEGATE_PUBLIC_URL: 'http://catalog.example.test',
});

/** A member of `roles` made on the table's replica, signed in on `on`. */
async function memberOn(t: PeopleTable, on: TestCatalog, ...roles: string[]): Promise<ReturnType<typeof bearerSender>> {
  const p = await t.cat.lakegate.principals.create(`${roles.join('-')}-on-b-${Math.random().toString(36).slice(2, 8)}`);
  for (const role of roles)
    expect((await t.admin('POST', `/management/v1/roles/${role}/members`, { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
  return bearerSender(on.lakegate.app, await tokenOf(on.lakegate.app, p.clientId, p.clientSecret));
}

/** Whether a promise has settled (read without waiting for it). */
function settled(p: Promise<unknown>): () => boolean {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

const euRows = (t: PeopleTable) => t.liveRows().filter((r) => r.region === 'eu');

describe('a plan on one replica while another prepares', () => {
  const dir = tempDir('lakegate-pg-prepare-plan-');
  const held = heldRewriter();
  let database: string;
  let t: PeopleTable;
  let b: TestCatalog;
  beforeAll(async () => {
    database = cluster.database('prepare_plan');
    t = await peopleTable(envOf(database), { dataDir: dir.dir, rewriter: held.rewriter });
    b = await startInProcess(envOf(database), { auth: true, dataDir: dir.dir });
  }, 120_000);
  afterAll(async () => {
    held.release();
    await t?.cat.close();
    await b?.close();
    dir.cleanup();
  });

  it("waits for the other replica's files and writes none of its own", async () => {
    const analyst = await memberOn(t, b, 'analysts');
    // The row filter's version: eu-1 and eu-2, both in A's rewriter (so both claimed by A) before B plans.
    expect((await t.admin('POST', POLICIES, EU)).status).toBe(201);
    await waitFor(
      'A deriving eu-1 and eu-2',
      () => held.inputs.length,
      (n) => n >= 2,
    );
    const planning = plan(analyst);
    const answered = settled(planning);
    await waitFor('B waiting for a claim, or answered', async () => answered() || (await waitingClaims(database)) > 0, Boolean);
    held.release();
    const body = await planning;
    await t.cat.lakegate.services.planning.prepared!.idle();

    expect(await derivedBy({ cat: b }, 'plan')).toBe(0);
    expect(await derivedBy(t, 'prepared')).toBe(2);
    expect(t.derivedFiles()).toEqual(planPaths(body));
    expect(t.derivedFiles()).toHaveLength(2);
    expect(await planRows(body)).toEqual(euRows(t));
  });
});

describe('two replicas catching up at once', () => {
  const dir = tempDir('lakegate-pg-prepare-catch-up-');
  const heldA = heldRewriter();
  const heldB = heldRewriter();
  let database: string;
  let t: PeopleTable;
  let b: TestCatalog | undefined;
  beforeAll(async () => {
    database = cluster.database('prepare_catch_up');
    t = await peopleTable({ ...envOf(database), ...OFF }, { dataDir: dir.dir });
    for (const p of [EU, MASKS, SCORES]) expect((await t.admin('POST', POLICIES, p)).status).toBe(201);
    expect(t.derivedFiles()).toEqual([]);
  }, 120_000);
  afterAll(async () => {
    heldA.release();
    heldB.release();
    await t?.cat.close();
    await b?.close();
    dir.cleanup();
  });

  it('write each file once', async () => {
    // Both restarted with preparation on: each one's startup catch-up offers the table (signing in makes it ready).
    await t.restart(envOf(database), { rewriter: heldA.rewriter });
    b = await startInProcess(envOf(database), { auth: true, dataDir: dir.dir, rewriter: heldB.rewriter });
    await b.lakegate.app.ready();
    await Promise.race([heldA.reached, heldB.reached]);
    // Both in their rewriters (each deriving the same files), or one waiting for the other's claims.
    await waitFor(
      'both replicas deriving, or one waiting for a claim',
      async () => (heldA.inputs.length > 0 && heldB.inputs.length > 0) || (await waitingClaims(database)) > 0,
      Boolean,
    );
    heldA.release();
    heldB.release();
    await t.cat.lakegate.services.planning.prepared!.idle();
    await b.lakegate.services.planning.prepared!.idle();

    const files = t.derivedFiles();
    // The analysts' version: eu-1, eu-2; the scorers': us-1, eu-2 (ids >= 9).
    expect(files).toHaveLength(4);
    expect((await derivedBy(t, 'startup')) + (await derivedBy({ cat: b }, 'startup'))).toBe(files.length);
    // Both replicas' plans find them: nothing derived on demand.
    const analyst = await memberOn(t, b, 'analysts');
    const body = await plan(analyst);
    expect(await derivedBy({ cat: b }, 'plan')).toBe(0);
    expect(t.derivedFiles()).toEqual(files);
    expect((await planRows(body)).map((r) => r.id)).toEqual(euRows(t).map((r) => r.id));
  });
});

describe('a claimant that is killed', () => {
  const dir = tempDir('lakegate-pg-prepare-killed-');
  let database: string;
  let t: PeopleTable;
  let claimant: ChildProcess | undefined;
  beforeAll(async () => {
    database = cluster.database('prepare_killed');
    // B here: preparation off, so only the claimant prepares; B's plans derive on demand.
    t = await peopleTable({ ...envOf(database), ...OFF }, { dataDir: dir.dir });
    expect((await t.admin('POST', POLICIES, EU)).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    claimant?.kill('SIGKILL');
    await t?.cat.close();
    dir.cleanup();
  });

  it('does not block the plan waiting for it, which derives the files itself', async () => {
    const analyst = await t.member('analysts');
    // Another replica in a process of its own, whose startup catch-up claims eu-1 and eu-2 and never finishes them.
    const script = path.join(dir.dir, 'claimant.mjs');
    writeFileSync(script, CLAIMANT);
    claimant = spawn(process.execPath, [script], { env: { ...process.env, ...envOf(database), DATA_DIR: dir.dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    const holding: string[] = [];
    claimant.stdout!.on('data', (chunk: Buffer) =>
      holding.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('holding ')),
      ),
    );
    await waitFor(
      'the claimant deriving eu-1 and eu-2',
      () => holding.length,
      (n) => n >= 2,
      60_000,
    );
    const planning = plan(analyst);
    await waitFor(
      'B waiting for its claims',
      () => waitingClaims(database),
      (n) => n > 0,
    );
    claimant.kill('SIGKILL');
    const body = await planning;
    expect(await derivedBy(t, 'plan')).toBe(2);
    expect(await planRows(body)).toEqual(euRows(t));
    expect(t.derivedFiles()).toEqual(planPaths(body));
  });
});

/** A replica whose rewriter never returns: it holds the claim of every file it starts deriving, until it is killed. */
const CLAIMANT = `
import { buildLakegate, createLogger, loadConfig } from ${JSON.stringify(fileURLToPath(new URL('../../packages/server/dist/index.js', import.meta.url)))};
const env = { ...process.env, LAKEGATE_DATA_DIR: process.env.DATA_DIR, LAKEGATE_AUTH: 'required', LAKEGATE_LOG_LEVEL: 'warn' };
const config = loadConfig({ env });
const rewriter = () => ({
  rewrite(request) {
    console.log('holding ' + request.inputs[0].uri);
    return new Promise(() => undefined);
  },
});
const lakegate = await buildLakegate({ config, logger: createLogger('warn', process.stderr), rewriter });
await lakegate.app.ready();
`;

describe('a preparation announced to the other replica', () => {
  const dir = tempDir('lakegate-pg-prepare-announced-');
  const memory = memoryTracing();
  let database: string;
  let t: PeopleTable;
  let b: TestCatalog;
  const completedOnB = () => metric({ cat: b }, 'lakegate_policy_files_preparations_total{outcome="completed"}');
  /** Policy-enforced files written by either replica, whatever the trigger. */
  const writtenOnBoth = async () => {
    let n = 0;
    for (const cat of [t.cat, b])
      for (const trigger of ['plan', 'prepared', 'membership', 'startup', 'replica'] as const) n += await derivedBy({ cat }, trigger);
    return n;
  };
  /** B prepared once more than `before` and has nothing left to prepare. */
  const warmed = async (before: number) => {
    await waitFor('B preparing the announced table', completedOnB, (n) => n > before);
    await b.lakegate.services.planning.prepared!.idle();
  };
  beforeAll(async () => {
    database = cluster.database('prepare_announced');
    t = await peopleTable(envOf(database), { dataDir: dir.dir });
    b = await startInProcess(envOf(database), { auth: true, dataDir: dir.dir, tracing: memory.tracing });
    // B's startup catch-up found no table with a policy.
    await b.lakegate.app.ready();
    await b.lakegate.services.planning.prepared!.idle();
  }, 120_000);
  afterAll(async () => {
    await t?.cat.close();
    await b?.close();
    dir.cleanup();
  });

  it("fills the other replica's caches: its first restricted plan reads no side file and writes nothing", async () => {
    const analyst = await memberOn(t, b, 'analysts');
    expect((await t.admin('POST', POLICIES, EU)).status).toBe(201);
    await t.cat.lakegate.services.planning.prepared!.idle();
    await warmed(0);
    expect(await derivedBy({ cat: b }, 'replica')).toBe(0);

    memory.reset();
    const body = await plan(analyst);
    const storageCalls = memory.finished().filter((s) => s.name.startsWith('storage '));
    expect(storageCalls.map((s) => s.name)).toEqual([]);
    expect(await derivedBy({ cat: b }, 'plan')).toBe(0);
    expect(planPaths(body)).toEqual(t.derivedFiles());
    expect(await planRows(body)).toEqual(euRows(t));
  });

  it('a membership change on one replica is prepared once across both; the member plans on the other and writes nothing', async () => {
    // The scorers mask: analysts and scorers both bound, so one member of both has a combined version of its own.
    const before = await completedOnB();
    expect((await t.admin('POST', POLICIES, { ...MASKS, roles: ['scorers'] })).status).toBe(201);
    await t.cat.lakegate.services.planning.prepared!.idle();
    await warmed(before);
    const files = t.derivedFiles();

    const afterPolicy = await completedOnB();
    const writtenBefore = await writtenOnBoth();
    const both = await memberOn(t, b, 'analysts', 'scorers');
    await t.cat.lakegate.services.planning.prepared!.idle();
    await warmed(afterPolicy);
    // The combined version's eu files, written once in all: by A after the change (or by B, which follows A's
    // announcement of the first membership and may read the second before A's next preparation: the same claims).
    expect(await derivedBy({ cat: b }, 'membership')).toBe(0);
    expect((await writtenOnBoth()) - writtenBefore).toBe(2);
    expect(t.derivedFiles()).toHaveLength(files.length + 2);

    const body = await plan(both);
    expect(await derivedBy({ cat: b }, 'plan')).toBe(0);
    expect(await planRows(body)).toEqual(masked(euRows(t)));
  });
});
