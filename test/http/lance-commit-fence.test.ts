/**
 * Issue 59, Lance: optimize's priority on its table (catalog/lance-commit-queue.ts). Once a commit of the
 * job loses its race to a writer, the table's other commits wait (the fence) until the job's next commit lands, and
 * then go on in order (the one whose version the job took is answered 409, as when the job wins outright, and its
 * client rebases); the wait is bounded (LAKEGATE_LANCE_COMMIT_FENCE_MS) and ends when the job fails. In process: the
 * LanceOptimizer port is a stand-in that commits the job's versions through the catalog's version service as the
 * job's committer (what the LanceDB adapter does through the catalog's own routes); the writer commits over HTTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoredManifest } from '../../packages/server/src/catalog/lance/versions/manifest-file.js';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import type { LanceOptimizer, LanceOptimizeTarget } from '../../packages/server/src/catalog/ports/lance-optimizer.js';
import { V4 } from '../support/lance-manifests.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import type { Send } from '../support/iceberg-http.js';

const L = '/lance/default/v1';
const MAINTENANCE = (name: string) => `/management/v1/warehouses/default/namespaces/fe/tables/${name}/maintenance`;
const STATS = { fragmentsRemoved: 4, fragmentsAdded: 1, filesRemoved: 4, filesAdded: 1, attempts: 1 };

interface Catalog {
  cat: TestCatalog;
  send: Send;
  /** What the stand-in optimizer does, as the job's committer. */
  job: (target: LanceOptimizeTarget, commit: (version: number) => Promise<number>) => Promise<void>;
}

async function start(fenceMs: number): Promise<Catalog> {
  const cat = await startInProcess({ LAKEGATE_LANCE_COMMIT_FENCE_MS: String(fenceMs) });
  const c: Catalog = { cat, send: injectSender(cat.lakegate.app), job: async () => undefined };
  const optimizer: LanceOptimizer = {
    unavailable: async () => undefined,
    async optimize(target) {
      // The job's commit of `version`: its status (200, or 409 when the version is taken), as CreateTableVersion answers.
      const commit = async (version: number): Promise<number> => {
        const staged = await stage(c, target.name, version);
        try {
          await cat.lakegate.services.lance.versions.create({ caller: target.committer, warehouse: 'default' }, ['fe', target.name], {
            version,
            manifestPath: staged,
          });
          return 200;
        } catch (e) {
          if ((e as { code?: string }).code === 'ERR_COMMIT_CONFLICT') return 409;
          throw e;
        }
      };
      await c.job(target, commit);
      return STATS;
    },
  };
  cat.lakegate.services.maintenance.useLanceOptimizer(optimizer);
  expect((await c.send('POST', `${L}/namespace/fe/create`, {})).status).toBe(200);
  return c;
}

/** Writes a staged manifest of `version` (pylance's four-fragment one) into the table's directory; its path as sent. */
async function stage(c: Catalog, name: string, version: number): Promise<string> {
  const described = await c.send('POST', `${L}/table/fe%24${name}/describe`, {});
  const staged = path.join(fileURLToPath(described.body.location as string), '_versions', `${version}.manifest-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.dirname(staged), { recursive: true });
  writeFileSync(staged, restoredManifest(V4, { version, timestampMs: 0, transactionFile: '', latest: { version } }));
  return staged.slice(1);
}

/** The writer's CreateTableVersion of `version`, over HTTP. */
async function write(c: Catalog, name: string, version: number): Promise<number> {
  const manifest = await stage(c, name, version);
  return (await c.send('POST', `${L}/table/fe%24${name}/version/create`, { version, manifest_path: manifest })).status;
}

async function table(c: Catalog, name: string): Promise<void> {
  expect((await c.send('POST', `${L}/table/fe%24${name}/declare`, {})).status).toBe(200);
  expect(await write(c, name, 1)).toBe(200);
}

/** How many fences came down each way (`/metrics`), and the fence-lowered log lines. */
async function fences(c: Catalog): Promise<Record<string, number>> {
  const text = (await c.cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  const count = (end: string) => Number(new RegExp(`lakegate_lance_commit_fences_total\\{end="${end}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { landed: count('landed'), released: count('released'), lapsed: count('lapsed') };
}
const loweredLines = (c: Catalog) =>
  c.cat
    .logs()
    .split('\n')
    .filter((l) => l.includes('"lance-table.fence-lowered"'))
    .map((l) => JSON.parse(l).event as { end: string; heldMs: number; tableId: string });

const creators = async (c: Catalog, name: string) => {
  const listed = await c.send('POST', `${L}/table/fe%24${name}/version/list`, {});
  return (listed.body.versions as Array<{ version: number; metadata: Record<string, string> }>)
    .sort((a, b) => a.version - b.version)
    .map((v) => [v.version, v.metadata['lakegate.created-by']!.startsWith('system:maintenance') ? 'job' : 'writer'] as const);
};

describe('a fence of 60 s (longer than any test here: what ends it is the job)', () => {
  let c: Catalog;
  beforeAll(async () => (c = await start(60_000)));
  afterAll(async () => c?.cat.close());

  it("holds a writer's commit after the job lost a race, until the job's next commit lands; the writer then goes on in order", async () => {
    await table(c, 'busy');
    let jobStatus: number | undefined;
    let writer: Promise<number> | undefined;
    c.job = async (_target, commit) => {
      // The writer takes version 2, the one the job wanted: the job loses its race, and its fence goes up.
      expect(await write(c, 'busy', 2)).toBe(200);
      expect(await commit(2)).toBe(409);
      // The writer commits again (version 3) while the job rebases. Without the fence it took version 3 meanwhile
      // (answered long before the job's next try) and the job lost again; with it, it waits.
      writer = write(c, 'busy', 3);
      await Promise.race([writer, new Promise((r) => setTimeout(r, 300))]);
      jobStatus = await commit(3);
    };
    const res = await c.send('POST', MAINTENANCE('busy'), { actions: ['optimize'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The job's rebased commit landed; the waiting writer found its version taken (its client rebases: 409).
    expect(jobStatus).toBe(200);
    expect(await writer).toBe(409);
    // Nothing is held once the job's commit landed: the writer's rebased commit lands next.
    expect(await write(c, 'busy', 4)).toBe(200);
    expect(await creators(c, 'busy')).toEqual([
      [1, 'writer'],
      [2, 'writer'],
      [3, 'job'],
      [4, 'writer'],
    ]);
    // The fence is counted by how it came down, and logged with how long it held.
    expect(await fences(c)).toEqual({ landed: 1, released: 0, lapsed: 0 });
    expect(loweredLines(c)).toEqual([expect.objectContaining({ end: 'landed', heldMs: expect.any(Number) })]);
  }, 30_000);

  it('releases the fence when the job fails: the waiting writer commits', async () => {
    await table(c, 'failing');
    let writer: Promise<number> | undefined;
    c.job = async (_target, commit) => {
      expect(await write(c, 'failing', 2)).toBe(200);
      expect(await commit(2)).toBe(409);
      writer = write(c, 'failing', 3);
      throw new CatalogError('ERR_UNAVAILABLE', 'optimize failed in the Lance library');
    };
    const res = await c.send('POST', MAINTENANCE('failing'), { actions: ['optimize'] });
    expect(res.status).toBe(503);
    // Within the test's time, far below the 60 s fence: the job's end lowered it.
    expect(await writer).toBe(200);
    expect((await c.send('GET', MAINTENANCE('failing'))).body.state).toBe('failed');
    expect(await write(c, 'failing', 4)).toBe(200);
    expect(await fences(c)).toEqual({ landed: 1, released: 1, lapsed: 0 });
  }, 30_000);

  it('holds no commit of a table without a running job, nor of another table while a job runs', async () => {
    await table(c, 'quiet');
    await table(c, 'other');
    c.job = async (_target, commit) => {
      expect(await write(c, 'quiet', 2)).toBe(200);
      expect(await commit(2)).toBe(409);
      // The fence is of the job's table only.
      expect(await write(c, 'other', 2)).toBe(200);
      expect(await commit(3)).toBe(200);
    };
    expect((await c.send('POST', MAINTENANCE('quiet'), { actions: ['optimize'] })).status).toBe(200);
    expect(await write(c, 'quiet', 4)).toBe(200);
    expect(await write(c, 'quiet', 5)).toBe(200);
  }, 30_000);
});

describe('a fence of 200 ms', () => {
  let c: Catalog;
  beforeAll(async () => (c = await start(200)));
  afterAll(async () => c?.cat.close());

  it('is bounded: a job that lost a race and never commits again holds the writer only until the fence lapses', async () => {
    await table(c, 'stuck');
    let state: unknown;
    c.job = async (_target, commit) => {
      expect(await write(c, 'stuck', 2)).toBe(200);
      expect(await commit(2)).toBe(409);
      // The job is still running (it has not returned): the writer's commit lands once the fence lapsed.
      expect(await write(c, 'stuck', 3)).toBe(200);
      state = (await c.send('GET', MAINTENANCE('stuck'))).body.state;
    };
    expect((await c.send('POST', MAINTENANCE('stuck'), { actions: ['optimize'] })).status).toBe(200);
    expect(state).toBe('running');
    expect(await fences(c)).toEqual({ landed: 0, released: 0, lapsed: 1 });
    expect(loweredLines(c)).toEqual([expect.objectContaining({ end: 'lapsed' })]);
    expect(loweredLines(c)[0]!.heldMs).toBeGreaterThanOrEqual(150);
  }, 30_000);
});
