/**
 * Scheduled maintenance (issue 39) on two replicas sharing one SQLite database, in-process: with the warehouse's
 * maintenance.interval-ms set, both schedulers tick at once and every table's job runs exactly once (the lease
 * decides), not again before the interval, each leaving its end state on its lease (GET of the job, either replica);
 * a job whose replica died (its lease left behind) is taken again once the
 * lease expires; a warehouse without a schedule is left alone; a bad interval is refused at create.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let a: TestCatalog;
let b: TestCatalog;
let send: Send;
const TABLES = ['t1', 't2', 't3', 't4', 't5', 't6'];

beforeAll(async () => {
  a = await startInProcess();
  b = await startInProcess({}, { dataDir: a.dataDir });
  send = injectSender(a.lakegate.app);
  const bad = await send('POST', '/management/v1/warehouses', {
    name: 'bad',
    'storage-root': `file://${a.dataDir}/bad`,
    'storage-profile': { type: 'file' },
    properties: { 'maintenance.interval-ms': '5' },
  });
  expect(bad.status).toBe(400);
  const created = await send('POST', '/management/v1/warehouses', {
    name: 'sched',
    'storage-root': `file://${a.dataDir}/sched`,
    'storage-profile': { type: 'file' },
    properties: { 'maintenance.interval-ms': '3600000' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await send('POST', '/v1/sched/namespaces', { namespace: ['db'] })).status).toBe(200);
  expect((await send('POST', '/v1/sched/namespaces', { namespace: ['db', 'inner'] })).status).toBe(200);
  for (const t of TABLES)
    expect((await send('POST', `/v1/sched/namespaces/${t === 't6' ? 'db%1Finner' : 'db'}/tables`, { name: t, schema: simpleSchema })).status).toBe(200);
  // A table in a warehouse without a schedule.
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['other'] })).status).toBe(200);
  expect((await send('POST', '/v1/default/namespaces/other/tables', { name: 'untouched', schema: simpleSchema })).status).toBe(200);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** The tables whose maintenance ran, by the events both replicas logged. */
const maintained = () =>
  [...`${a.logs()}\n${b.logs()}`.split('\n')]
    .filter((l) => l.includes('"table.maintained"'))
    .map((l) => JSON.parse(l).event as { warehouse: string; name: string });

it('runs each table job once across two replicas ticking together, and not again before the interval', async () => {
  const [ra, rb] = await Promise.all([a.lakegate.services.maintenanceScheduler.tick(), b.lakegate.services.maintenanceScheduler.tick()]);
  expect(ra.failed + rb.failed).toBe(0);
  expect(ra.ran + rb.ran).toBe(TABLES.length);
  const names = maintained()
    .map((e) => `${e.warehouse}/${e.name}`)
    .sort();
  expect(names).toEqual(TABLES.map((t) => `sched/${t}`));
  const again = await Promise.all([a.lakegate.services.maintenanceScheduler.tick(), b.lakegate.services.maintenanceScheduler.tick()]);
  expect(again[0].ran + again[1].ran).toBe(0);
  // Each job left its end state on its lease row, readable from either replica.
  const job = await injectSender(b.lakegate.app)('GET', '/management/v1/warehouses/sched/namespaces/db/tables/t1/maintenance');
  expect(job.body).toMatchObject({ state: 'done', progress: { phase: 'done', 'files-deleted': 0 } });
  expect(job.body.holder).toMatch(/^replica:/);
  expect(job.body['last-completed-at-ms']).toBeGreaterThan(0);
});

it('takes again the job of a replica that died once its lease expires', async () => {
  expect((await send('POST', '/v1/sched/namespaces/db/tables', { name: 'late', schema: simpleSchema })).status).toBe(200);
  const record = await a.lakegate.store.repository.getObject('sched', ['db'], 'late');
  // A replica took the job and died: its lease (1 ms) is left behind, never completed.
  expect(await a.lakegate.store.maintenanceLeases.take(record!.id, 'sched', 'replica:dead', Date.now(), 1, Date.now())).toBe(true);
  await new Promise((r) => setTimeout(r, 5));
  const [ra, rb] = await Promise.all([a.lakegate.services.maintenanceScheduler.tick(), b.lakegate.services.maintenanceScheduler.tick()]);
  expect(ra.ran + rb.ran).toBe(1);
  expect(maintained().filter((e) => e.name === 'late')).toHaveLength(1);
});
