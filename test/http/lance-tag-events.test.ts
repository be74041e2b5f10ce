/**
 * A Lance tag write's change event, at least once (issue 58; catalog/lance/tag-events.ts, tag-recovery.ts): in process
 * on SQLite, the tag port's in-memory reference (MemoryLanceTagStore) wrapped to see what the catalog database holds
 * at the moment Lance is asked to write, and to fail as storage does. The write's intent (its event, with its id) is in
 * the database before Lance's write and is turned into the outbox event after; a write Lance refuses leaves neither;
 * a write interrupted after Lance's write (the test-only pause point throwing, as a process dying there) leaves its
 * intent, which the recovery publishes once its bound passed and the dataset shows the write, with the id recorded,
 * and drops when the dataset does not. Before, the event was appended after the write with no record before it: an
 * interrupted write had no event, and nothing recovered it.
 *
 * A write Lance refused whose intent the database failed to drop (the fault injected into the SQLite store's drop),
 * where the tag shows the write's outcome anyway (a create of a tag naming that version already, a delete of a tag
 * that is not there), is dropped by the recovery by the tag's state before the write, which the intent keeps: before,
 * it was published, one spurious event. /metrics shows the intents pending and the oldest one's age, read at scrape.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import type { LanceTagIntent } from '../../packages/server/src/catalog/ports/lance-tag-intents.js';
import { type LanceTagInfo, type LanceTagStore, type LanceTagTarget, MemoryLanceTagStore } from '../../packages/server/src/catalog/ports/lance-tags.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const L = '/lance/default/v1';
const BOUND = 120_000;
let cat: TestCatalog;
let offset = 0;
/** When set, the clock stands still there (the intents' age in /metrics is then exact). */
let frozen: number | undefined;
const clock = { now: () => frozen ?? Date.now() + offset };

/** The memory tag store, recording the intents pending at each write and failing as told. */
class Observed implements LanceTagStore {
  readonly inner = new MemoryLanceTagStore(() => [1, 2, 3]);
  /** The intents the catalog database held when each write reached the store. */
  readonly atWrite: LanceTagIntent[][] = [];
  /** A write fails in the library (no domain error): the catalog cannot tell whether it was written. */
  writeFails = false;
  /** Reading a tag fails (storage down). */
  readFails = false;

  async unavailable(): Promise<string | undefined> {
    return undefined;
  }
  list(target: LanceTagTarget): Promise<ReadonlyMap<string, LanceTagInfo>> {
    return this.inner.list(target);
  }
  async version(target: LanceTagTarget, tag: string): Promise<number | undefined> {
    if (this.readFails) throw new CatalogError('ERR_UNAVAILABLE', 'storage is down');
    return this.inner.version(target, tag);
  }
  async create(target: LanceTagTarget, tag: string, version: number): Promise<void> {
    await this.before();
    return this.inner.create(target, tag, version);
  }
  async update(target: LanceTagTarget, tag: string, version: number): Promise<void> {
    await this.before();
    return this.inner.update(target, tag, version);
  }
  async delete(target: LanceTagTarget, tag: string): Promise<void> {
    await this.before();
    return this.inner.delete(target, tag);
  }
  private async before(): Promise<void> {
    this.atWrite.push(await pending());
    if (this.writeFails) throw new Error('the library failed');
  }
}

let store: Observed;
/** Throws after Lance's write: the request ends there, as a process dying between the write and the event. */
let dieAfterWrite = false;
const hold = async () => {
  if (dieAfterWrite) throw new Error('the process died here');
};

const pending = () => cat.lakegate.store.lanceTagIntents.pending(Number.MAX_SAFE_INTEGER, 100);
const tagEvents = async () =>
  (await cat.lakegate.store.outbox.list('default', 0, 1000))
    .filter((e) => e.type.startsWith('io.lakegate.lance-table.tag-'))
    .map((e) => ({ id: e.id, type: e.type, data: e.data }));
const recover = () => cat.lakegate.services.lance.tags.recover(BOUND);
const target: LanceTagTarget = {
  warehouse: 'default',
  namespace: ['te'],
  name: 't',
  actor: { tenant: 'default', description: 'test', key: 'test', members: [], admin: true, unrestricted: true },
};

async function call(op: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, any> }> {
  const res = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/te%24t/${op}`,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : {} };
}

beforeAll(async () => {
  cat = await startInProcess({}, { clock });
  expect(
    (await cat.lakegate.app.inject({ method: 'POST', url: `${L}/namespace/te/create`, payload: '{}', headers: { 'content-type': 'application/json' } }))
      .statusCode,
  ).toBe(200);
  expect((await call('declare', {})).status).toBe(200);
});
afterAll(async () => cat?.close());
beforeEach(async () => {
  store = new Observed();
  dieAfterWrite = false;
  cat.lakegate.services.lance.tags.useStore(store, hold);
  for (const i of await pending()) await cat.lakegate.store.lanceTagIntents.drop(i.id);
  offset = 0;
  frozen = undefined;
});

it('records the intent (the event with its id) before Lance writes, and publishes that event after, leaving no intent', async () => {
  const before = (await tagEvents()).length;
  expect((await call('tags/create', { tag: 'v1', version: 1 })).status).toBe(200);
  expect((await call('tags/update', { tag: 'v1', version: 2 })).status).toBe(200);
  expect((await call('tags/delete', { tag: 'v1' })).status).toBe(200);
  // At each write, exactly its intent was recorded: what the tag must be afterwards, and the event to send.
  expect(store.atWrite.map((is) => is.map((i) => [i.tag, i.version, i.event.type]))).toEqual([
    [['v1', 1, 'io.lakegate.lance-table.tag-created']],
    [['v1', 2, 'io.lakegate.lance-table.tag-updated']],
    [['v1', undefined, 'io.lakegate.lance-table.tag-deleted']],
  ]);
  const events = (await tagEvents()).slice(before);
  // The events in the outbox are the intents' own, id for id.
  expect(events.map((e) => e.id)).toEqual(store.atWrite.map((is) => is[0]!.id));
  expect(events.map((e) => [e.type, e.data.tag, e.data.version])).toEqual([
    ['io.lakegate.lance-table.tag-created', 'v1', 1],
    ['io.lakegate.lance-table.tag-updated', 'v1', 2],
    ['io.lakegate.lance-table.tag-deleted', 'v1', 2],
  ]);
  expect(await pending()).toEqual([]);
});

it('drops the intent of a write Lance refuses: no event', async () => {
  await store.inner.create(target, 'taken', 1);
  const before = await tagEvents();
  expect((await call('tags/create', { tag: 'taken', version: 1 })).body).toMatchObject({ code: 9 });
  expect((await call('tags/create', { tag: 'other', version: 9 })).body).toMatchObject({ code: 11 });
  expect((await call('tags/update', { tag: 'missing', version: 1 })).body).toMatchObject({ code: 8 });
  expect((await call('tags/delete', { tag: 'missing' })).body).toMatchObject({ code: 8 });
  // Each reached Lance with its intent recorded, and none is left.
  expect(store.atWrite.map((is) => is.length)).toEqual([1, 1, 1, 1]);
  expect(await pending()).toEqual([]);
  expect(await tagEvents()).toEqual(before);
});

it('recovers the event of a write interrupted after Lance wrote it: once its bound passed, with the id recorded, and only once', async () => {
  dieAfterWrite = true;
  expect((await call('tags/create', { tag: 'cut', version: 3 })).status).toBe(500);
  const before = await tagEvents();
  const [intent] = await pending();
  expect(intent).toMatchObject({ tag: 'cut', version: 3, warehouse: 'default', namespace: ['te'], name: 't' });
  expect(await store.inner.version(target, 'cut')).toBe(3);
  // Younger than the bound: left to its request.
  expect(await recover()).toEqual({ published: 0, dropped: 0 });
  expect(await tagEvents()).toEqual(before);
  offset = BOUND + 1_000;
  expect(await recover()).toEqual({ published: 1, dropped: 0 });
  const after = await tagEvents();
  expect(after.slice(before.length)).toEqual([
    { id: intent!.id, type: 'io.lakegate.lance-table.tag-created', data: expect.objectContaining({ tag: 'cut', version: 3 }) },
  ]);
  expect(await recover()).toEqual({ published: 0, dropped: 0 });
  expect(await tagEvents()).toEqual(after);
  expect(await pending()).toEqual([]);
});

it('recovers an interrupted delete by the tag being absent, and drops an interrupted move the tag no longer shows', async () => {
  await store.inner.create(target, 'gone', 1);
  await store.inner.create(target, 'moved', 1);
  dieAfterWrite = true;
  expect((await call('tags/delete', { tag: 'gone' })).status).toBe(500);
  expect((await call('tags/update', { tag: 'moved', version: 2 })).status).toBe(500);
  // Another client's Lance moved the tag again before the recovery: the interrupted move's outcome is not what holds.
  await store.inner.update(target, 'moved', 3);
  const before = await tagEvents();
  offset = BOUND + 1_000;
  expect(await recover()).toEqual({ published: 1, dropped: 1 });
  const added = (await tagEvents()).slice(before.length);
  expect(added.map((e) => [e.type, e.data.tag])).toEqual([['io.lakegate.lance-table.tag-deleted', 'gone']]);
  expect(await pending()).toEqual([]);
});

it('keeps the intent of a write the library failed (written or not), and the recovery drops it when the dataset shows no write', async () => {
  store.writeFails = true;
  expect((await call('tags/create', { tag: 'maybe', version: 1 })).status).toBe(500);
  expect((await pending()).map((i) => i.tag)).toEqual(['maybe']);
  const before = await tagEvents();
  offset = BOUND + 1_000;
  // The dataset cannot be read either: kept for a later round, which the sweep logs as failed.
  store.readFails = true;
  await expect(recover()).rejects.toThrow(/1 of 1 Lance tag intents could not be recovered/);
  expect((await pending()).map((i) => i.tag)).toEqual(['maybe']);
  // Claimed by that round until its claim ends: no other round takes it meanwhile.
  store.readFails = false;
  expect(await recover()).toEqual({ published: 0, dropped: 0 });
  offset = 2 * BOUND + 2_000;
  expect(await recover()).toEqual({ published: 0, dropped: 1 });
  expect(await tagEvents()).toEqual(before);
  expect(await pending()).toEqual([]);
});

it('drops, in recovery, the intent of a refused write the database failed to drop, though the tag shows its outcome', async () => {
  await store.inner.create(target, 'same', 1);
  const intents = cat.lakegate.store.lanceTagIntents;
  const drop = intents.drop;
  // The database fails as the requests drop their refused writes' intents.
  intents.drop = async () => {
    throw new Error('the database is down');
  };
  try {
    expect((await call('tags/create', { tag: 'same', version: 1 })).body).toMatchObject({ code: 9 });
    expect((await call('tags/delete', { tag: 'absent' })).body).toMatchObject({ code: 8 });
  } finally {
    intents.drop = drop;
  }
  // Both intents outlived their refusals.
  expect((await pending()).map((i) => i.tag)).toEqual(['same', 'absent']);
  // The dataset shows either outcome anyway: the tag names version 1, and there is no tag 'absent'.
  expect(await store.inner.version(target, 'same')).toBe(1);
  expect(await store.inner.version(target, 'absent')).toBeUndefined();
  const before = await tagEvents();
  offset = BOUND + 1_000;
  expect(await recover()).toEqual({ published: 0, dropped: 2 });
  expect(await tagEvents()).toEqual(before);
  expect(await pending()).toEqual([]);
});

it("records with each write's intent the write asked for and what the tag was just before it", async () => {
  await store.inner.create(target, 'named', 2);
  expect((await call('tags/create', { tag: 'new', version: 1 })).status).toBe(200);
  expect((await call('tags/update', { tag: 'named', version: 3 })).status).toBe(200);
  expect((await call('tags/delete', { tag: 'named' })).status).toBe(200);
  expect(store.atWrite.map((is) => is.map((i) => [i.tag, i.operation, i.before]))).toEqual([
    [['new', 'create', { version: undefined }]],
    [['named', 'update', { version: 2 }]],
    [['named', 'delete', { version: 3 }]],
  ]);
});

it('still recovers interrupted writes whose outcome was the state before: a move to the version the tag named', async () => {
  await store.inner.create(target, 'kept', 2);
  dieAfterWrite = true;
  expect((await call('tags/update', { tag: 'kept', version: 2 })).status).toBe(500);
  expect((await call('tags/create', { tag: 'fresh', version: 1 })).status).toBe(500);
  expect((await pending()).map((i) => [i.tag, i.operation, i.before])).toEqual([
    ['kept', 'update', { version: 2 }],
    ['fresh', 'create', { version: undefined }],
  ]);
  const before = await tagEvents();
  offset = BOUND + 1_000;
  expect(await recover()).toEqual({ published: 2, dropped: 0 });
  expect((await tagEvents()).slice(before.length).map((e) => [e.type, e.data.tag])).toEqual([
    ['io.lakegate.lance-table.tag-updated', 'kept'],
    ['io.lakegate.lance-table.tag-created', 'fresh'],
  ]);
});

it("shows in /metrics the tag intents pending and the oldest one's age, read at scrape", async () => {
  const scrape = async () => {
    const body = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1];
    return [value('lakegate_lance_tag_intents_pending'), value('lakegate_lance_tag_intents_oldest_age_seconds')];
  };
  frozen = 1_000_000_000_000;
  expect(await scrape()).toEqual(['0', '0']);
  dieAfterWrite = true;
  expect((await call('tags/create', { tag: 'first', version: 1 })).status).toBe(500);
  frozen += 30_000;
  expect((await call('tags/create', { tag: 'second', version: 2 })).status).toBe(500);
  frozen += 15_000;
  expect(await scrape()).toEqual(['2', '45']);
  // The recovery (its bound passed for the first only) publishes it: the second is the oldest now.
  frozen += BOUND - 30_000;
  expect(await recover()).toEqual({ published: 1, dropped: 0 });
  expect(await scrape()).toEqual(['1', String((BOUND - 30_000 + 15_000) / 1000)]);
  frozen += 30_000;
  expect(await recover()).toEqual({ published: 1, dropped: 0 });
  // One read of the database per scrape serves both gauges.
  const intents = cat.lakegate.store.lanceTagIntents;
  const summary = intents.summary;
  let reads = 0;
  intents.summary = () => {
    reads += 1;
    return summary.call(intents);
  };
  try {
    expect(await scrape()).toEqual(['0', '0']);
  } finally {
    intents.summary = summary;
  }
  expect(reads).toBe(1);
});
