/**
 * kill -9 of a `lakegate serve` process between Lance's write of a tag and the tag's change event (issue 58;
 * catalog/lance/tag-events.ts, tag-recovery.ts), on a file warehouse and SQLite: the ref is in the dataset, the event
 * nowhere but in the intent recorded before the write. After a restart the recovery (at start and by the sweep, the
 * bound set to 1 s) reads the tag in the dataset and publishes the event: the pull API shows it once, with the id
 * recorded before the write, and still once after more sweep rounds. The pause point is the test-only one of
 * compose/derivation-hold.ts (LAKEGATE_TEST_HOLD_TAG_EVENT). Before, the event was appended after the write with
 * nothing recorded first: a kill there left the tag written and no event, ever.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { createCrashTable, until } from '../support/crash-server.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const L = '/lance/default/v1';
const data = tempDir('lakegate-tag-crash-');
const hold = tempDir('lakegate-tag-hold-');
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  data.cleanup();
  hold.cleanup();
});

const waitFor = (what: string, check: () => boolean | Promise<boolean>, ms?: number) => until(() => server, what, check, ms);

/** The warehouse's tag events, through the pull API. */
async function tagEvents(admin: Send): Promise<Array<Record<string, any>>> {
  const res = await admin('GET', '/management/v1/events?warehouse=default&limit=1000');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.events as Array<Record<string, any>>).filter((e) => String(e.type).startsWith('io.lakegate.lance-table.tag-'));
}

it('publishes the event of a tag Lance wrote before the process was killed, once, after a restart', async () => {
  server = await startServer({ dataDir: data.dir, env: { LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_TEST_HOLD_TAG_EVENT: hold.dir } });
  let admin = httpSender(server.url, await server.token());
  expect((await admin('POST', `${L}/namespace/crash/create`, {})).status).toBe(200);
  const location = await createCrashTable(server, 't', [1, 2, 3]);

  // The tag write stops once Lance wrote the ref, before its event; the process dies there.
  let answered: unknown;
  const write = admin('POST', `${L}/table/crash%24t/tags/create`, { tag: 'cut', version: 1 }).then(
    (r) => (answered = r),
    () => undefined,
  );
  await waitFor('Lance to write the tag', () => {
    if (answered !== undefined) throw new Error(`the tag write was answered: ${JSON.stringify(answered)}`);
    return existsSync(path.join(hold.dir, 'written'));
  });
  expect(existsSync(path.join(location, '_refs', 'tags', 'cut.json'))).toBe(true);
  await server.stop('SIGKILL');
  await write;
  writeFileSync(path.join(hold.dir, 'written.go'), '');
  // Only its intent holds the event: recorded in the catalog database before Lance wrote.
  const db = new SqliteCatalogStore(path.join(data.dir, 'catalog.sqlite'));
  const intents = await db.lanceTagIntents.pending(Number.MAX_SAFE_INTEGER, 10);
  await db.close();
  expect(intents.map((i) => [i.tag, i.version])).toEqual([['cut', 1]]);

  // Restarted (no pause point), recovering intents older than 1 s, sweeping every second.
  server = await startServer({
    dataDir: data.dir,
    env: { LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_SWEEP_INTERVAL_MS: '1000', LAKEGATE_LANCE_TAG_INTENT_RECOVERY_SECONDS: '1' },
  });
  admin = httpSender(server.url, await server.token());
  expect((await admin('POST', `${L}/table/crash%24t/tags/list`, {})).body.tags).toMatchObject({ cut: { version: 1 } });
  await waitFor('the recovery to publish the event', async () => (await tagEvents(admin)).length > 0, 60_000);
  // More sweep rounds: still that one event.
  await sleep(3_000);
  const events = await tagEvents(admin);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    id: intents[0]!.id,
    type: 'io.lakegate.lance-table.tag-created',
    data: { namespace: ['crash'], name: 't', tag: 'cut', version: 1 },
  });
  expect(await server.settledOutput()).toMatch(/interrupted Lance tag writes resolved/);
  // A tag written afterwards has its event at once, as before.
  expect((await admin('POST', `${L}/table/crash%24t/tags/create`, { tag: 'next', version: 1 })).status).toBe(200);
  expect((await tagEvents(admin)).map((e) => e.data.tag)).toEqual(['cut', 'next']);
});
