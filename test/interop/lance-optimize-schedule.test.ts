/**
 * Issue 59, Lance, on the schedule: a real server process (its sweep every second) whose warehouse turns compaction
 * on (`compaction.enabled`, `compaction.lance.min-fragments` 20) and schedules maintenance optimizes, by itself, the
 * managed Lance table LanceDB Node 0.39 appended 40 one-row fragments to, and leaves the one with 5: LanceDB reads
 * the same rows from one fragment, and the scheduled run shows on /metrics, in the audit and in the job.
 */
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const M = '/management/v1/warehouses/default';
let server: ServerProcess;
let send: Send;
let token: string;

beforeAll(async () => {
  server = await startServer({ env: { LAKEGATE_SWEEP_INTERVAL_MS: '1000' } });
  token = await server.token();
  send = httpSender(server.url, token);
}, 120_000);
afterAll(async () => server?.stop());

const connect = () => lancedb.connectNamespace('rest', { uri: `${server.url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
const row = (i: number) => ({ id: i, vector: [i, i + 1, i + 2, i + 3] });
const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
const metric = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 'NaN');

async function ids(table: lancedb.Table): Promise<number[]> {
  const all = (await table.query().select(['id']).toArray()) as Array<{ id: number | bigint }>;
  return all.map((r) => Number(r.id)).sort((a, b) => a - b);
}

it('optimizes on the schedule the table over its small-fragment threshold: 40 fragments into one, the same rows; the one under it is left', async () => {
  const db = await connect();
  await db.createNamespace(['sched']);
  const many = await db.createTable('many', [row(0)], ['sched']);
  for (let i = 1; i < 40; i++) await many.add([row(i)]);
  const few = await db.createTable('few', [row(0)], ['sched']);
  for (let i = 1; i < 5; i++) await few.add([row(i)]);
  expect((await many.stats()).fragmentStats.numFragments).toBe(40);

  // The schedule starts now (set before, the tables would have had their one run while still small).
  const startedMs = Date.now();
  const set = await send('POST', `${M}/properties`, {
    updates: { 'maintenance.interval-ms': '3600000', 'compaction.enabled': 'true', 'compaction.lance.min-fragments': '20' },
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  // Both tables' scheduled jobs end (the sweep runs every second): polled, as a client would.
  const job = async (name: string) => (await send('GET', `${M}/namespaces/sched/tables/${name}/maintenance`)).body.state as string;
  while ((await job('many')) !== 'done' || (await job('few')) !== 'done') {
    expect(Date.now() - startedMs, 'the scheduled jobs did not end in 60 s').toBeLessThan(60_000);
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`scheduled optimize of 40 fragments done ${Date.now() - startedMs} ms after the schedule was set`);

  const after = await (await connect()).openTable('many', ['sched']);
  expect((await after.stats()).fragmentStats.numFragments).toBe(1);
  expect(await ids(after)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  const untouched = await (await connect()).openTable('few', ['sched']);
  expect((await untouched.stats()).fragmentStats.numFragments).toBe(5);

  const text = await metrics();
  expect(metric(text, 'lakegate_lance_optimize_runs_total{trigger="scheduled",outcome="compacted"}')).toBe(1);
  expect(metric(text, 'lakegate_lance_optimize_fragments_removed_total{trigger="scheduled"}')).toBe(40);
  expect(metric(text, 'lakegate_lance_optimize_fragments_added_total{trigger="scheduled"}')).toBe(1);
  expect(text).not.toContain('lakegate_lance_optimize_runs_total{trigger="scheduled",outcome="failed"}');
  const audit = (await send('GET', '/management/v1/audit?type=maintenance.completed')).body.events as Array<{
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  expect(audit.filter((e) => e.object?.endsWith('.many')).map((e) => e.detail)).toEqual([
    expect.objectContaining({ trigger: 'scheduled', optimize: expect.objectContaining({ 'fragments-removed': 40, 'fragments-added': 1 }) }),
  ]);
  expect(audit.filter((e) => e.object?.endsWith('.few'))).toEqual([]);
}, 120_000);
