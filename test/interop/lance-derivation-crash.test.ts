/**
 * kill -9 of a `lakegate serve` process between writing a policy-derived Lance dataset and checking its table
 * (catalog/lance/policy-recovery.ts), on a file warehouse and SQLite: the table was dropped with purge while the
 * derivation was about to write (the purge listed nothing of it), so the dataset it then wrote lies in the purged
 * location, named by nothing the catalog holds but the intent recorded before the write. After a restart the
 * housekeeping sweep deletes those files, and leaves a live table's data and its derived dataset whole and served.
 * The two pause points are the test-only ones of compose/derivation-hold.ts (LAKEGATE_TEST_HOLD_DERIVATION).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createCrashTable, until } from '../support/crash-server.js';
import { grantPrincipal } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { filesUnder } from '../support/lance-policy-tables.js';
import { clientToken, createPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const L = '/lance/default/v1';
const data = tempDir('lakegate-derivation-crash-');
const hold = tempDir('lakegate-derivation-hold-');
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  data.cleanup();
  hold.cleanup();
});

const waitFor = (what: string, check: () => boolean | Promise<boolean>, ms?: number) => until(() => server, what, check, ms);

async function restrict(admin: Send, name: string, clientId: string): Promise<void> {
  const role = await grantPrincipal(admin, clientId, ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['crash'], name });
  const policy = await admin('POST', `/management/v1/warehouses/default/namespaces/crash/tables/${name}/policies`, {
    kind: 'row-filter',
    roles: [role],
    filter: { type: 'eq', term: 'region', value: 'eu' },
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
}

it('leaves no derived files in a purged location after a kill between writing them and checking the table', async () => {
  server = await startServer({ dataDir: data.dir, env: { LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_TEST_HOLD_DERIVATION: hold.dir } });
  let admin = httpSender(server.url, await server.token());
  expect((await admin('POST', `${L}/namespace/crash/create`, {})).status).toBe(200);
  const analyst = await createPrincipal(server, 'crash-analyst');
  const live = await createCrashTable(server, 'live', [1, 2, 3, 4]);
  const gone = await createCrashTable(server, 'gone', [1, 2, 3, 4]);
  await restrict(admin, 'gone', analyst.id);

  // A derivation of `gone` (the policy's background preparation, or the read's) stops before it writes.
  const read = httpSender(server.url, await clientToken(server.url, analyst.credential))('POST', `${L}/table/crash%24gone/describe`, {}).catch(() => undefined);
  await waitFor('the derivation to start', () => existsSync(path.join(hold.dir, 'before-write')));
  // Dropped with purge meanwhile: the drop waits for the held derivation at most its bound, then purges the location.
  const dropped = await admin('POST', `${L}/table/crash%24gone/drop`, {});
  expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
  expect(filesUnder(gone)).toEqual([]);
  // The derivation writes its dataset into the purged location, and the process dies before checking the table.
  writeFileSync(path.join(hold.dir, 'before-write.go'), '');
  await waitFor('the dataset to be written', () => existsSync(path.join(hold.dir, 'written')));
  await server.stop('SIGKILL');
  await read;
  const leftover = filesUnder(gone);
  expect(leftover.length).toBeGreaterThan(0);
  expect(leftover.every((f) => /^_lakegate\/policy\/[^/]+\/lance-v\d+-[^/]+\.lance\//.test(f))).toBe(true);

  // Restarted (no pause points), sweeping every second.
  server = await startServer({ dataDir: data.dir, env: { LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_SWEEP_INTERVAL_MS: '1000' } });
  admin = httpSender(server.url, await server.token());
  await restrict(admin, 'live', analyst.id);
  const analystSend = httpSender(server.url, await clientToken(server.url, analyst.credential));
  const served = await analystSend('POST', `${L}/table/crash%24live/describe`, {});
  expect(served.status, JSON.stringify(served.body)).toBe(200);
  expect(served.body.location).toMatch(/_lakegate\/policy\//);
  const liveFiles = filesUnder(live);
  expect(liveFiles.some((f) => f.startsWith('_lakegate/policy/'))).toBe(true);

  await waitFor('the sweep to delete the files left in the purged location', () => filesUnder(gone).length === 0, 60_000);
  expect(await server.settledOutput()).toMatch(/lance-table\.derivation-recovered/);
  // The live table: its data and its derived dataset untouched, and its reader still answered that dataset.
  expect(filesUnder(live)).toEqual(liveFiles);
  const again = await analystSend('POST', `${L}/table/crash%24live/describe`, {});
  expect(again.status).toBe(200);
  expect(again.body.location).toBe(served.body.location);
});
