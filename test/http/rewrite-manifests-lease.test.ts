/**
 * A manifest rewrite (`rewrite-manifests`, issue 59) whose table lease is taken over while it runs, in-process on a
 * file warehouse with a 1 s lease: the job's storage stalls after it wrote its first new manifest (or its manifest
 * list) until another holder took the table's job and the job's renewal was refused. The rewrite then stops at its
 * next check, commits nothing (the same snapshot and metadata file), deletes every manifest and list it wrote (the
 * table's metadata/ directory holds what it held before), and fails as compaction does: on demand a 409 saying the
 * lease was lost, on the schedule a failed job with its event; the taker's lease stands.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { tableWithManyManifests } from '../support/many-manifests.js';

let cat: TestCatalog;
let send: Send;
const TABLES = '/v1/wh/namespaces/db/tables';
const JOB = (name: string) => `/management/v1/warehouses/wh/namespaces/db/tables/${name}/maintenance`;
/** The rewrite's own files: its merged manifests and its manifest lists. */
const MANIFEST = /-m-rewrite\.avro$/;
const LIST = /\/snap-\d+-1-[^/]+\.avro$/;

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_MAINTENANCE_LEASE_MS: '1000' });
  send = injectSender(cat.lakegate.app);
  await createFileLake(send, cat, 'wh', ['db'], { 'maintenance.interval-ms': '3600000' });
});
afterAll(async () => {
  await cat?.close();
});

type Storage = { writeNew: (path: string, bytes: Uint8Array) => Promise<void> };

/**
 * Runs `job` with the maintenance's storage wrapped: after the first write of a file matching `stallAfter`, the
 * table's lease is taken by another holder (as one taking it after its expiry would), and the write returns only once
 * the job's own renewal was refused. Answers what the job wrote, and whether each file was on disk at the stall.
 */
async function withLeaseLostAfter<T>(id: string, stallAfter: RegExp, job: () => Promise<T>): Promise<{ out: T; written: string[]; stalled: boolean }> {
  const ctx = (cat.lakegate.services.maintenance as unknown as { ctx: { storageFor: (w: unknown) => Promise<Storage> } }).ctx;
  const leases = cat.lakegate.store.maintenanceLeases;
  const storageFor = ctx.storageFor;
  const renew = leases.renew;
  let refused!: () => void;
  const renewalRefused = new Promise<void>((r) => (refused = r));
  leases.renew = async (tableId, holder, nowMs, leaseMs) => {
    const held = await renew.call(leases, tableId, holder, nowMs, leaseMs);
    if (tableId === id && !held) refused();
    return held;
  };
  const written: string[] = [];
  let stalled = false;
  ctx.storageFor = async (w) => {
    const storage = await storageFor.call(ctx, w);
    return Object.assign(Object.create(storage), {
      writeNew: async (path: string, bytes: Uint8Array) => {
        await storage.writeNew.call(storage, path, bytes);
        if (!MANIFEST.test(path) && !LIST.test(path)) return;
        written.push(path);
        if (stalled || !stallAfter.test(path)) return;
        stalled = existsSync(fileURLToPath(path));
        const held = (await leases.get(id))!;
        await leases.fail(id, held.holder, held.progress!, true);
        expect(await leases.take(id, 'wh', 'replica:elsewhere', Date.now(), 60_000, Number.MAX_SAFE_INTEGER)).toBe(true);
        await renewalRefused;
        // The keeper aborts its job once the refusal's promise settles: after these microtasks.
        await new Promise((r) => setImmediate(r));
      },
    });
  };
  try {
    return { out: await job(), written, stalled };
  } finally {
    ctx.storageFor = storageFor;
    leases.renew = renew;
  }
}

/** A table of 40 one-append manifests, merged into several (the 16 KiB target): what its metadata is and holds. */
async function table(name: string) {
  const { location } = await tableWithManyManifests(send, TABLES, name, 40);
  const set = await send('POST', `${TABLES}/${name}`, {
    requirements: [],
    updates: [
      {
        action: 'set-properties',
        updates: {
          'commit.manifest.target-size-bytes': '16384',
          'compaction.enabled': 'true',
          'compaction.min-input-files': '100000',
          'compaction.manifests.min-count': '2',
        },
      },
    ],
  });
  expect(set.status, stringifyJson(set.body)).toBe(200);
  const id = (await cat.lakegate.store.repository.getObject('wh', ['db'], name))!.id;
  const state = async () => {
    const loaded = (await send('GET', `${TABLES}/${name}`)).body;
    return {
      'metadata-location': loaded['metadata-location'] as string,
      'current-snapshot-id': String(loaded.metadata['current-snapshot-id']),
      files: readdirSync(fileURLToPath(`${location}/metadata`)).sort(),
    };
  };
  return { id, state };
}

const cases = [
  { trigger: 'on-demand', stallAfter: MANIFEST, point: 'its first new manifest' },
  { trigger: 'on-demand', stallAfter: LIST, point: 'its manifest list' },
  { trigger: 'scheduled', stallAfter: MANIFEST, point: 'its first new manifest' },
  { trigger: 'scheduled', stallAfter: LIST, point: 'its manifest list' },
] as const;

it.each(cases)('$trigger: a lease taken over after $point stops the rewrite, commits nothing and removes what it wrote', async ({ trigger, stallAfter }) => {
  const name = `lost-${trigger}-${stallAfter === MANIFEST ? 'manifest' : 'list'}`;
  const { id, state } = await table(name);
  const before = await state();
  const run = (): Promise<unknown> =>
    trigger === 'on-demand' ? send('POST', JOB(name), { actions: ['rewrite-manifests'] }) : cat.lakegate.services.maintenanceScheduler.tick();
  const { out, written, stalled } = await withLeaseLostAfter(id, stallAfter, run);

  expect(stalled).toBe(true);
  // Stopped at its next check: after its first manifest (of several: two when it goes on) no other was written; after its list, no commit.
  expect(written.filter((p) => MANIFEST.test(p)).length).toBe(stallAfter === MANIFEST ? 1 : 2);
  expect(written.filter((p) => LIST.test(p)).length).toBe(stallAfter === MANIFEST ? 0 : 1);
  if (trigger === 'on-demand') {
    const res = out as Awaited<ReturnType<Send>>;
    expect(res.status, stringifyJson(res.body)).toBe(409);
    expect(res.body.error.message).toContain('lost its table lease');
  } else {
    expect(out).toMatchObject({ ran: 1, failed: 1 });
    const failed = cat
      .logs()
      .split('\n')
      .filter((l) => l.includes('"table.maintenance-failed"') && l.includes(`"${name}"`));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('lost its table lease');
  }
  // Nothing committed, nothing left behind.
  expect(await state()).toEqual(before);
  expect(cat.logs()).not.toContain('"table.manifests-rewritten"');
  // The taker's lease stands: the stopped job did not end it.
  const job = await send('GET', JOB(name));
  expect(job.body).toMatchObject({ state: 'running', holder: 'replica:elsewhere' });
});
