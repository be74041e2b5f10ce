/**
 * Issue 59, Lance: optimize's fence reaches across replicas (catalog/lance-fences.ts). Two in-process replicas on one
 * PostgreSQL (no workers: only the replicas' channel, LISTEN/NOTIFY, links them), sharing one data directory. The job
 * runs on replica A (the LanceOptimizer port is the stand-in of test/http/lance-commit-fence.test.ts: it commits the
 * job's versions through A's version service as the job's committer); the writer commits on replica B over HTTP.
 * Once the job lost a race, B's next commit of the table waits until the job's rebased commit landed on A, then is
 * answered 409 (its version taken, its client rebases) and the writer goes on. Before, B knew nothing of A's fence:
 * the writer's commit landed at once and the job lost its race again. A holder that dies with its fence up (its raise
 * is the last thing heard of it) holds B's writers only until the bound, by B's own timer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoredManifest } from '../../packages/server/src/catalog/lance/versions/manifest-file.js';
import { LanceCommitQueue } from '../../packages/server/src/catalog/lance-commit-queue.js';
import { fenceUpNotice } from '../../packages/server/src/catalog/lance-fences.js';
import { MAIN_BRANCH } from '../../packages/server/src/catalog/ports/lance-versions.js';
import type { LanceOptimizer, LanceOptimizeTarget } from '../../packages/server/src/catalog/ports/lance-optimizer.js';
import { V4 } from '../support/lance-manifests.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import type { Send } from '../support/iceberg-http.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { tempDir } from '../support/temp.js';

const L = '/lance/default/v1';
const MAINTENANCE = (name: string) => `/management/v1/warehouses/default/namespaces/fe/tables/${name}/maintenance`;
const STATS = { fragmentsRemoved: 4, fragmentsAdded: 1, filesRemoved: 4, filesAdded: 1, attempts: 1 };

const cluster = usePostgresCluster('lakegate-pg-lance-fence-');
const dir = tempDir('lakegate-pg-lance-fence-data-');
let database: string;
let a: TestCatalog;
let b: TestCatalog;
let sendA: Send;
let sendB: Send;
/** What the stand-in optimizer on A does, as the job's committer. */
let job: (target: LanceOptimizeTarget, commit: (version: number) => Promise<number>) => Promise<void> = async () => undefined;

beforeAll(async () => {
  database = cluster.database('fence');
  // A fence of 60 s: longer than any test here, so what ends it is the job (or, for a dead holder, its own bound).
  const env = { LAKEGATE_DATABASE: database, LAKEGATE_SECRET_KEY: 'f'.repeat(43) + '=', LAKEGATE_LANCE_COMMIT_FENCE_MS: '60000' };
  a = await startInProcess(env, { dataDir: dir.dir });
  b = await startInProcess(env, { dataDir: dir.dir });
  sendA = injectSender(a.lakegate.app);
  sendB = injectSender(b.lakegate.app);
  const optimizer: LanceOptimizer = {
    unavailable: async () => undefined,
    async optimize(target) {
      const commit = async (version: number): Promise<number> => {
        const staged = await stage(sendA, target.name, version);
        try {
          await a.lakegate.services.lance.versions.create({ caller: target.committer, warehouse: 'default' }, ['fe', target.name], {
            version,
            manifestPath: staged,
          });
          return 200;
        } catch (e) {
          if ((e as { code?: string }).code === 'ERR_COMMIT_CONFLICT') return 409;
          throw e;
        }
      };
      await job(target, commit);
      return STATS;
    },
  };
  a.lakegate.services.maintenance.useLanceOptimizer(optimizer);
  expect((await sendA('POST', `${L}/namespace/fe/create`, {})).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await b?.close();
  await a?.close();
  dir.cleanup();
});

/** Writes a staged manifest of `version` into the table's directory (shared by both replicas); its path as sent. */
async function stage(send: Send, name: string, version: number): Promise<string> {
  const described = await send('POST', `${L}/table/fe%24${name}/describe`, {});
  const staged = path.join(fileURLToPath(described.body.location as string), '_versions', `${version}.manifest-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.dirname(staged), { recursive: true });
  writeFileSync(staged, restoredManifest(V4, { version, timestampMs: 0, transactionFile: '', latest: { version } }));
  return staged.slice(1);
}

/** The writer's CreateTableVersion of `version` on replica B, over HTTP. */
async function write(name: string, version: number): Promise<number> {
  const manifest = await stage(sendB, name, version);
  return (await sendB('POST', `${L}/table/fe%24${name}/version/create`, { version, manifest_path: manifest })).status;
}

async function table(name: string): Promise<void> {
  expect((await sendA('POST', `${L}/table/fe%24${name}/declare`, {})).status).toBe(200);
  expect(await write(name, 1)).toBe(200);
}

const metric = async (c: TestCatalog, name: string) => {
  const text = (await c.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
};
/** B's commits that waited for another process's fence, as its log lines say. */
const fencedOnB = () =>
  b
    .logs()
    .split('\n')
    .filter((l) => l.includes('"lance-table.commit-fenced"')).length;

/** Resolves once `check` holds (polled), or never once `stop` was called. */
function once(check: () => boolean): { seen: Promise<void>; stop: () => void } {
  let stopped = false;
  const seen = new Promise<void>((resolve) => {
    const look = () => {
      if (stopped) return;
      if (check()) resolve();
      else setTimeout(look, 20);
    };
    look();
  });
  return { seen, stop: () => (stopped = true) };
}

const creators = async (name: string) => {
  const listed = await sendB('POST', `${L}/table/fe%24${name}/version/list`, {});
  return (listed.body.versions as Array<{ version: number; metadata: Record<string, string> }>)
    .sort((x, y) => x.version - y.version)
    .map((v) => [v.version, v.metadata['lakegate.created-by']!.startsWith('system:maintenance') ? 'job' : 'writer'] as const);
};

describe('replicas on one PostgreSQL', () => {
  it("a fence raised on replica A holds a writer's commit on replica B until the job's commit lands on A", async () => {
    await table('busy');
    let jobStatus: number | undefined;
    let writer: Promise<number> | undefined;
    let first: string | undefined;
    job = async (_target, commit) => {
      // The writer (on B) takes version 2, the one the job wanted: the job loses its race on A, and its fence goes up.
      expect(await write('busy', 2)).toBe(200);
      expect(await commit(2)).toBe(409);
      // B has heard of the fence (a notification's latency) before the writer commits again.
      await expect.poll(() => b.lakegate.services.lance.commits.fences.up).toBe(1);
      writer = write('busy', 3);
      // Either the writer's commit waits on B (its log line), or it lands at once (what happened before).
      const waiting = once(() => fencedOnB() === 1);
      first = await Promise.race([writer.then((s) => `answered ${s}`), waiting.seen.then(() => 'waiting')]);
      waiting.stop();
      jobStatus = await commit(3);
    };
    const res = await sendA('POST', MAINTENANCE('busy'), { actions: ['optimize'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(first).toBe('waiting');
    // The job's rebased commit landed; the writer's, which waited, found its version taken (its client rebases: 409).
    expect(jobStatus).toBe(200);
    expect(await writer).toBe(409);
    // B heard the fence come down: nothing is held any more, the writer's rebased commit lands next.
    expect(b.lakegate.services.lance.commits.fences.up).toBe(0);
    expect(await write('busy', 4)).toBe(200);
    expect(await creators('busy')).toEqual([
      [1, 'writer'],
      [2, 'writer'],
      [3, 'job'],
      [4, 'writer'],
    ]);
    expect(await metric(a, 'lakegate_lance_commit_fences_total\\{end="landed"\\}')).toBe(1);
    expect(await metric(b, 'lakegate_lance_commits_fenced_total')).toBe(1);
  }, 60_000);

  it("a holder that died with its fence up holds B's writers only until the bound it announced, by B's own timer", async () => {
    await table('orphaned');
    const record = await b.lakegate.store.repository.getObject('default', ['fe'], 'orphaned');
    // The last thing heard of a replica killed mid-fence: its raise (1 s bound) on the replicas' channel, nothing after.
    const holder = new pg.Client({ connectionString: database });
    await holder.connect();
    try {
      const k = fenceUpNotice('dead-holder-fence', LanceCommitQueue.key(record!.id, MAIN_BRANCH), 1_000);
      await holder.query('select pg_notify($1, $2)', ['lakegate_coherence', JSON.stringify({ o: 'dead-holder', t: 'lance-fences', k })]);
    } finally {
      await holder.end();
    }
    await expect.poll(() => b.lakegate.services.lance.commits.fences.up).toBe(1);
    const started = Date.now();
    const writer = write('orphaned', 2);
    const waiting = once(() => fencedOnB() === 2);
    expect(await Promise.race([writer.then((s) => `answered ${s}`), waiting.seen.then(() => 'waiting')])).toBe('waiting');
    waiting.stop();
    // Nobody lowers the fence: the writer's commit lands once B's timer of the announced bound ran out.
    expect(await writer).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(b.lakegate.services.lance.commits.fences.up).toBe(0);
    expect(await write('orphaned', 3)).toBe(200);
  }, 60_000);
});
