/**
 * Issue 42: Iceberg Java 1.11 and PyIceberg 0.12 list a namespace of very many tables completely, paged and unpaged.
 * The rows are seeded through the store (one transaction per 5,000), not created one by one: listing reads the rows
 * only. LAKEGATE_LISTING_TABLES sets the count: 20,000 here (CI time), 100,000 by hand
 * (`LAKEGATE_LISTING_TABLES=100000 npx vitest run --project interop test/interop/listing-many.test.ts`).
 *
 * Iceberg Java always pages (RESTSessionCatalog.listTables sends pageToken= first and follows next-page-token): with
 * the server's page size, and with rest-page-size=5000, which the server lowers to its maximum. PyIceberg sends no
 * pageToken on its first request, which the spec answers with the whole listing in one response: without and with
 * rest-page-size (a bound the server need not page by then).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { requestLog } from '../support/request-log.js';
import { icebergJavaLib, pyicebergPython } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const COUNT = Number(process.env.LAKEGATE_LISTING_TABLES ?? 20_000);
const NS = 'many';
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const PROGRAM = path.join(REPO_ROOT, 'test', 'interop', 'java', 'ListManyTables.java');

let cat: TestCatalog;
let url: string;
/** The listing requests of this namespace logged since `from` (a log offset). */
const listings = (from: number) => requestLog(cat.logs().slice(from)).filter((r) => r.method === 'GET' && r.path === `/v1/default/namespaces/${NS}/tables`);

beforeAll(async () => {
  cat = await startInProcess();
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as AddressInfo).port}`;
  const created = await cat.lakegate.app.inject({ method: 'POST', url: '/v1/default/namespaces', payload: { namespace: [NS] } });
  expect(created.statusCode).toBe(200);
  const started = Date.now();
  const store = cat.lakegate.store;
  for (let from = 0; from < COUNT; from += 5_000) {
    await store.transaction(async (repo) => {
      for (let i = from; i < Math.min(COUNT, from + 5_000); i++) {
        const name = `t${String(i).padStart(6, '0')}`;
        const location = `file://${cat.dataDir}/warehouse/${NS}/${name}`;
        const ok = await repo.insertObject({
          id: `seed-${i}`,
          warehouse: 'default',
          namespace: [NS],
          name,
          kind: 'table',
          uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          location,
          metadataLocation: `${location}/metadata/00000.metadata.json`,
          metadataJson: '{}',
          createdAtMs: started,
          updatedAtMs: started,
          locationOwned: true,
        });
        if (!ok) throw new Error(`seed ${name} not inserted`);
      }
    });
  }
  console.log(`seeded ${COUNT} tables in ${Date.now() - started} ms`);
}, 600_000);
afterAll(async () => cat?.close());

it(`Iceberg Java 1.11 lists all ${COUNT} tables, paged with the server's page size and with rest-page-size=5000`, async () => {
  const from = cat.logs().length;
  const run = await runAsync(JAVA, ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', `${icebergJavaLib()}/*`, PROGRAM], {
    env: { ...process.env, LAKEGATE_URI: url, LAKEGATE_NAMESPACE: NS },
    timeoutMs: 300_000,
  });
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter((l) => /^(ok|failed) /.test(l));
  console.log(lines.join('\n'));
  expect(
    lines.map((l) => l.replace(/ ms=\d+$/, '')),
    run.stdout + run.stderr,
  ).toEqual([`ok page-size=server listed=${COUNT} distinct=${COUNT}`, `ok page-size=5000 listed=${COUNT} distinct=${COUNT}`]);
  expect(run.status).toBe(0);
  // Paged: every request carried pageToken, and the follow-ups a token of the server's (1,000 names a page).
  const requests = listings(from);
  expect(requests.every((r) => /[?&]pageToken=/.test(r.url))).toBe(true);
  expect(requests.filter((r) => /[?&]pageToken=[^&]/.test(r.url)).length).toBeGreaterThanOrEqual(2 * (COUNT / 1000 - 1));
}, 300_000);

it(`PyIceberg 0.12 lists all ${COUNT} tables in one unpaged answer, without and with rest-page-size`, async () => {
  const from = cat.logs().length;
  const code = [
    'import sys, time',
    'from pyiceberg.catalog import load_catalog',
    'for size in (None, "1000"):',
    '    props = {"type": "rest", "uri": sys.argv[1], "warehouse": "default"}',
    '    if size: props["rest-page-size"] = size',
    '    start = time.monotonic()',
    '    tables = load_catalog("l", **props).list_tables(sys.argv[2])',
    '    print(f"ok page-size={size or \'none\'} listed={len(tables)} distinct={len(set(tables))} ms={int((time.monotonic() - start) * 1000)}")',
  ].join('\n');
  const run = await runAsync(pyicebergPython(), ['-c', code, url, NS], { env: process.env, timeoutMs: 300_000 });
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter((l) => /^(ok|failed) /.test(l));
  console.log(lines.join('\n'));
  expect(
    lines.map((l) => l.replace(/ ms=\d+$/, '')),
    run.stdout + run.stderr,
  ).toEqual([`ok page-size=none listed=${COUNT} distinct=${COUNT}`, `ok page-size=1000 listed=${COUNT} distinct=${COUNT}`]);
  expect(run.status).toBe(0);
  // Unpaged: two requests in all, neither with a pageToken.
  const requests = listings(from);
  expect(requests.map((r) => /[?&]pageToken=/.test(r.url))).toEqual([false, false]);
}, 300_000);
