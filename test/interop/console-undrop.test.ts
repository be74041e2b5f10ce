/**
 * The console's dropped objects and table maintenance (issue 39) in a real browser (Debian's Chromium driven by
 * playwright-core) against a real `lakegate serve`: a table with one snapshot of 30 records is dropped (soft) and a
 * new table takes its name. On the warehouse's "Dropped" page the old table is listed; Undrop under its own name
 * shows the server's 409 (the name is taken), Undrop under a new name restores it, and its page shows the snapshot
 * and its 30 records again. On that page a dry run of orphan-file removal lists the stray file planted under the
 * table's location, as the server answered, and deletes nothing; the job's record says so afterwards. A principal
 * without warehouse:list-dropped is shown the refusal. Removing thousands of orphan files, the panel shows the job's phase and
 * counts while it runs (polled from GET of the job), then the result. A namespace a cascading drop took is listed as
 * such, its table's row names it, and its Undrop restores both. Compaction of small Parquet files (issue 59) with a
 * strategy chosen on the panel: sort on an unsorted table shows the server's 400 in its words and changes nothing; the
 * fewest input files and target size typed are sent (a group too small is nothing to do, a target over the bound is
 * the server's 400); a file group size and Spark's partial progress with its max commits are sent (a group over the
 * bound is the server's 400; partial progress is planned by a dry run and refused for a real run by the in-process
 * executor);
 * sort on a table sorted by id descending shows the committed result, and its new files (through the scan plan) hold
 * their rows in that order and carry the order's sort-order-id; binpack on such a table leaves them in the inputs'
 * order, with no sort-order-id. Screenshots: tmp/console-screenshots/dropped-*.png and maintenance-*.png.
 */
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { screenshot, signInWithSecret } from '../support/console-pages.js';
import { appendUpdates, httpSender, type Send, simpleSchema } from '../support/iceberg-http.js';
import { type TestEntry, type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { type CreatedPrincipal, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { planFilesOf, scanTable, tableWithSmallFiles } from '../support/small-files.js';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';

let chrome: { browser: Browser; close(): Promise<void> };
let server: ServerProcess;
let send: Send;
let reader: CreatedPrincipal;
let droppedLocation = '';
const T = '/v1/default/namespaces/ud/tables';
/**
 * Enough stray files that their removal outlasts a few of the panel's polls (every 0.25 s), with deletes 16 at a time
 * (catalog/bounded.ts): at 6,000 a quiet machine finished before the panel's first poll.
 */
const STRAYS = 40_000;

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'console', 'dist', 'index.html'))) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages', 'console', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  chrome = await launchChromium();
  server = await startServer();
  send = httpSender(server.url, await server.token());
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['ud'] })).status).toBe(200);
  const created = await send('POST', T, { name: 'events', schema: simpleSchema, properties: { 'format-version': '2' } });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  droppedLocation = created.body.metadata.location as string;
  const manifest = `${droppedLocation}/metadata/m0.avro`;
  const entries: TestEntry[] = [0, 1, 2].map((i) => ({
    status: 1,
    snapshotId: 1n,
    sequenceNumber: 1,
    file: { path: `${droppedLocation}/data/f${i}.parquet`, partition: [], records: 10 },
  }));
  const manifests: TestManifest[] = [
    { path: manifest, length: await writeManifest(manifest, [], entries), content: 0, sequenceNumber: 1, addedSnapshotId: 1n },
  ];
  const list = `${droppedLocation}/metadata/snap-1.avro`;
  await writeManifestList(list, manifests);
  const commit = appendUpdates(created.body.metadata, list);
  commit.updates[0]!.snapshot!.summary = {
    operation: 'append',
    'total-data-files': '3',
    'total-records': '30',
  };
  expect((await send('POST', `${T}/events`, { requirements: commit.requirements, updates: commit.updates })).status).toBe(200);
  // Dropped (soft: the warehouse keeps it 7 days), and the name taken again by a new, empty table.
  expect((await send('DELETE', `${T}/events`)).status).toBe(204);
  expect((await send('POST', T, { name: 'events', schema: simpleSchema })).status).toBe(200);
  reader = await createGrantedPrincipal(server, 'console-undrop-reader', ['table:read-metadata'], { type: 'warehouse', warehouse: 'default' });
}, 15 * 60_000);

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('console: dropped objects and maintenance', () => {
  it('undrops a table (409 on the taken name, then under a new one), shows its data again, and runs an orphan dry run', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const [adminId, adminSecret] = server.credential.split(':') as [string, string];
    await signInWithSecret(page, server.url, adminId, adminSecret);
    await page.goto(`${server.url}/ui/catalog/default`);
    await page.getByRole('link', { name: 'Dropped objects' }).click();
    const row = page.getByTestId('dropped-object').filter({ hasText: 'ud.events' });
    await row.waitFor();
    expect(await row.textContent()).toContain(droppedLocation);
    await screenshot(page, 'dropped-list');

    // Its own name is taken: the server's 409 is shown next to the row, and nothing changed.
    await row.getByRole('button', { name: 'Undrop' }).click();
    const refusal = row.getByTestId('undrop-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/ud\.events is taken.*Type a new name above/s);
    await screenshot(page, 'dropped-undrop-conflict');

    await row.locator('input[name=undrop-name]').fill('events_restored');
    await row.getByRole('button', { name: 'Undrop' }).click();
    const done = row.getByTestId('undrop-done');
    await done.waitFor();
    expect(await done.textContent()).toContain('ud.events_restored');
    await done.getByRole('link', { name: 'ud.events_restored' }).click();

    // Back with its data: the snapshot and its 30 records.
    await page.getByTestId('current-snapshot').waitFor();
    expect(await page.getByTestId('current-snapshot').textContent()).toMatch(/append, .*30 records/);
    expect(await page.getByTestId('timeline-snapshot').count()).toBe(1);
    const loaded = await send('GET', `${T}/events_restored`);
    expect(loaded.body.metadata.location).toBe(droppedLocation);
    expect((await send('GET', '/management/v1/warehouses/default/dropped')).body.dropped).toEqual([]);

    // A stray file a week old under the restored table: the dry run lists it and deletes nothing.
    const stray = path.join(fileURLToPath(droppedLocation), 'data', 'stray.parquet');
    mkdirSync(path.dirname(stray), { recursive: true });
    writeFileSync(stray, 'a failed write');
    const weekAgo = new Date(Date.now() - 7 * 86_400_000);
    utimesSync(stray, weekAgo, weekAgo);
    const form = page.getByRole('form', { name: 'Run maintenance' });
    await form.locator('select[name=maintenance-action]').selectOption('orphans-dry-run');
    await form.locator('input[name=maintenance-older-than]').fill('3');
    await form.getByRole('button', { name: 'Run' }).click();
    const result = page.getByTestId('maintenance-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Dry run: nothing was deleted.');
    expect(await page.getByTestId('maintenance-deleted-files').textContent()).toBe('0');
    expect(await page.getByTestId('maintenance-would-delete').textContent()).toBe('1');
    const files = await page
      .getByTestId('maintenance-file')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(files).toEqual([[`${droppedLocation}/data/stray.parquet`, 'orphan', '14 B']]);
    expect(existsSync(stray)).toBe(true);
    await screenshot(page, 'dropped-maintenance-dry-run');
    const job = await send('GET', '/management/v1/warehouses/default/namespaces/ud/tables/events_restored/maintenance');
    expect(job.body).toMatchObject({ state: 'done', progress: { phase: 'done', 'files-deleted': 0 } });
    expect(job.body['last-completed-at-ms']).toBeUndefined();
    await context.close();
  });

  it("shows a running job's progress, then its result, when removing many orphan files", async () => {
    const created = await send('POST', T, { name: 'many', schema: simpleSchema });
    expect(created.status).toBe(200);
    const dir = path.join(fileURLToPath(created.body.metadata.location as string), 'data');
    mkdirSync(dir, { recursive: true });
    const weekAgo = new Date(Date.now() - 7 * 86_400_000);
    for (let i = 0; i < STRAYS; i++) {
      const f = path.join(dir, `stray-${i}.parquet`);
      writeFileSync(f, 'x');
      utimesSync(f, weekAgo, weekAgo);
    }
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const [adminId, adminSecret] = server.credential.split(':') as [string, string];
    await signInWithSecret(page, server.url, adminId, adminSecret);
    await page.goto(`${server.url}/ui/catalog/default/table/ud/many`);
    const form = page.getByRole('form', { name: 'Run maintenance' });
    await form.locator('select[name=maintenance-action]').selectOption('orphans');
    await form.getByRole('button', { name: 'Run' }).click();
    // The panel polls the job while it runs: the server's phase and counts appear before the result does.
    const progress = page.getByTestId('maintenance-progress');
    await expect
      .poll(async () => ((await progress.isVisible()) ? await progress.textContent() : ''), { timeout: 60_000, interval: 100 })
      .toMatch(/(listing|deleting)-orphans: \d+ manifests, \d+ files scanned; \d+ files \([\d,]+ B\) deleted so far/);
    await screenshot(page, 'maintenance-progress');
    await page.getByTestId('maintenance-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('maintenance-deleted-files').textContent()).toBe(String(STRAYS));
    expect(readdirSync(dir)).toEqual([]);
    await context.close();
  }, 180_000);

  it('shows the refusal to a principal without warehouse:list-dropped', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInWithSecret(page, server.url, reader.id, reader.secret);
    await page.goto(`${server.url}/ui/catalog/default/dropped`);
    await expect.poll(async () => page.getByTestId('error').textContent(), { timeout: 20_000 }).toMatch(/Not allowed.*warehouse:list-dropped/);
    await context.close();
  });

  it("undrops a namespace a cascading drop took, with its table: the table's row says what it was dropped with", async () => {
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['cn'], properties: { owner: 'ana' } })).status).toBe(200);
    const table = await send('POST', '/v1/default/namespaces/cn/tables', { name: 'kept', schema: simpleSchema });
    expect(table.status).toBe(200);
    expect((await send('POST', '/lance/default/v1/namespace/cn/drop', { id: ['cn'], behavior: 'Cascade' })).status).toBe(200);
    const listed = (await send('GET', '/management/v1/warehouses/default/dropped')).body.dropped as Array<{ id: string; kind: string; name: string }>;
    const ns = listed.find((d) => d.kind === 'namespace' && d.name === 'cn')!;
    const kept = listed.find((d) => d.kind === 'table' && d.name === 'kept')!;

    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const [adminId, adminSecret] = server.credential.split(':') as [string, string];
    await signInWithSecret(page, server.url, adminId, adminSecret);
    await page.goto(`${server.url}/ui/catalog/default/dropped`);
    const nsRow = page.locator(`[data-testid="dropped-object"][data-id="${ns.id}"]`);
    await nsRow.waitFor();
    expect(await nsRow.locator('td').first().textContent()).toBe('namespace');
    const tableRow = page.locator(`[data-testid="dropped-object"][data-id="${kept.id}"]`);
    expect(await tableRow.getByTestId('dropped-with').textContent()).toContain('dropped with namespace cn');
    await screenshot(page, 'dropped-namespace');

    await nsRow.getByRole('button', { name: 'Undrop' }).click();
    const done = nsRow.getByTestId('undrop-done');
    await done.waitFor();
    expect(await done.textContent()).toMatch(/Restored as cn with what was dropped with it/);
    await done.getByRole('link', { name: 'cn' }).click();
    await page.waitForURL(/\/ui\/catalog\/default\/ns\/cn$/);
    expect((await send('GET', '/v1/default/namespaces/cn')).body.properties).toMatchObject({ owner: 'ana' });
    expect((await send('GET', '/v1/default/namespaces/cn/tables/kept')).body.metadata['table-uuid']).toBe(table.body.metadata['table-uuid']);
    const left = (await send('GET', '/management/v1/warehouses/default/dropped')).body.dropped as Array<{ id: string }>;
    expect(left.filter((d) => d.id === ns.id || d.id === kept.id)).toEqual([]);
    await context.close();
  });

  it('compacts with the strategy chosen: sort refused on an unsorted table, sort and binpack on a sorted one', async () => {
    await tableWithSmallFiles(send, T, 'loose', { eu: 3 });
    const sortedRows = await tableWithSmallFiles(send, T, 'by_id', { eu: 4, us: 4 });
    await tableWithSmallFiles(send, T, 'packed', { eu: 4 });
    for (const name of ['by_id', 'packed']) {
      const res = await send('POST', `${T}/${name}`, {
        requirements: [],
        updates: [
          {
            action: 'add-sort-order',
            'sort-order': { 'order-id': 1, fields: [{ transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' }] },
          },
          { action: 'set-default-sort-order', 'sort-order-id': -1 },
        ],
      });
      expect(res.status, stringifyJson(res.body)).toBe(200);
    }
    /** Each data file of the table's scan plan: its rows' ids in file order and its sort-order-id. */
    const filesOf = (name: string) => planFilesOf(send, `${T}/${name}`);
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const [adminId, adminSecret] = server.credential.split(':') as [string, string];
    await signInWithSecret(page, server.url, adminId, adminSecret);

    // Sort on an unsorted table: the hint says it, and the server's refusal is shown in its words; nothing changed.
    await page.goto(`${server.url}/ui/catalog/default/table/ud/loose`);
    let form = page.getByRole('form', { name: 'Run maintenance' });
    await form.locator('select[name=maintenance-action]').selectOption('compact');
    await form.locator('select[name=maintenance-strategy]').selectOption('sort');
    expect(await form.getByTestId('maintenance-strategy-hint').textContent()).toMatch(/no default sort order/);
    await form.getByRole('button', { name: 'Run' }).click();
    const refusal = form.getByTestId('error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/strategy sort needs a table with a default sort order/);
    expect(await page.getByTestId('maintenance-result').count()).toBe(0);
    expect((await filesOf('loose')).length).toBe(3);
    await screenshot(page, 'maintenance-compaction-refused');

    // The fewest input files and the target size typed on the panel are sent: 3 small files are not a group of 4;
    // a target over the server's bound is refused in its words; with a 2 MiB target a group of 3 would be
    // rewritten (each a dry run); the result names the strategy and target applied. Then a typed sort order.
    await form.locator('select[name=maintenance-strategy]').selectOption('default');
    await form.locator('select[name=maintenance-action]').selectOption('compact-dry-run');
    await form.locator('input[name=maintenance-min-input-files]').fill('4');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.locator('[data-testid=compaction-outcome][data-outcome=nothing-to-do]').waitFor();
    await form.locator('input[name=maintenance-min-input-files]').fill('3');
    await form.locator('input[name=maintenance-target-mib]').fill('20000');
    await form.getByRole('button', { name: 'Run' }).click();
    await form
      .getByTestId('error')
      .filter({ hasText: /target-file-size-bytes/ })
      .waitFor();
    expect(await form.getByTestId('error').textContent()).toMatch(/17179869184/);
    expect(await page.getByTestId('maintenance-result').count()).toBe(0);
    await form.locator('input[name=maintenance-target-mib]').fill('2');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.locator('[data-testid=compaction-outcome][data-outcome=dry-run]').waitFor();
    expect(await form.getByTestId('compaction-rewritten').textContent()).toBe('3');
    expect(await form.getByTestId('compaction-strategy').textContent()).toBe('binpack');
    expect(await form.getByTestId('compaction-target').textContent()).toBe('2 MiB');
    expect((await filesOf('loose')).length).toBe(3);

    // The file group size and Spark's partial progress (issue 59) are sent: a group over the server's 16 GiB bound is
    // refused in its words; partial progress with its max commits is planned by a dry run, and refused for a real run
    // by the in-process executor, which commits once (the spark executor's option); nothing changed.
    await form.locator('input[name=maintenance-group-mib]').fill('20000');
    await form.getByRole('button', { name: 'Run' }).click();
    await form
      .getByTestId('error')
      .filter({ hasText: /max-file-group-size-bytes/ })
      .waitFor();
    await form.locator('input[name=maintenance-group-mib]').fill('64');
    await form.locator('input[name=maintenance-partial-progress]').check();
    await form.locator('input[name=maintenance-max-commits]').fill('2');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.locator('[data-testid=compaction-outcome][data-outcome=dry-run]').waitFor();
    await form.locator('select[name=maintenance-action]').selectOption('compact');
    await form.getByRole('button', { name: 'Run' }).click();
    await form
      .getByTestId('error')
      .filter({ hasText: /spark executor/ })
      .waitFor();
    expect(await form.getByTestId('error').textContent()).toMatch(/partial-progress/);
    expect((await filesOf('loose')).length).toBe(3);
    await form.locator('input[name=maintenance-partial-progress]').uncheck();
    await form.locator('input[name=maintenance-group-mib]').fill('');

    // Iceberg's size range and delete thresholds (issue 59) are sent as typed (sizes in bytes): a min size not below the
    // 2 MiB target and a ratio of 0 are refused in the server's words; with a min size of 0 none of the 3 small files is
    // below it (nor above the 8 MiB max, nor with deletes): nothing to do; with it cleared the default range rewrites them.
    const sent: Array<Record<string, unknown>> = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/tables/loose/maintenance')) sent.push(JSON.parse(r.postData() ?? '{}'));
    });
    await form.locator('select[name=maintenance-action]').selectOption('compact-dry-run');
    await form.locator('input[name=maintenance-min-file-mib]').fill('4');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.getByTestId('error').filter({ hasText: 'min-file-size-bytes (4194304) must be below the target file size (2097152)' }).waitFor();
    await form.locator('input[name=maintenance-min-file-mib]').fill('0');
    await form.locator('input[name=maintenance-max-file-mib]').fill('8');
    await form.locator('input[name=maintenance-delete-file-threshold]').fill('1');
    await form.locator('input[name=maintenance-delete-ratio-threshold]').fill('0');
    await form.getByRole('button', { name: 'Run' }).click();
    await form
      .getByTestId('error')
      .filter({ hasText: /delete-ratio-threshold/ })
      .waitFor();
    expect(await page.getByTestId('maintenance-result').count()).toBe(0);
    await form.locator('input[name=maintenance-delete-ratio-threshold]').fill('0.5');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.locator('[data-testid=compaction-outcome][data-outcome=nothing-to-do]').waitFor();
    expect(sent.at(-1)).toMatchObject({
      'dry-run': true,
      'target-file-size-bytes': 2 * 1024 * 1024,
      'min-file-size-bytes': 0,
      'max-file-size-bytes': 8 * 1024 * 1024,
      'delete-file-threshold': 1,
      'delete-ratio-threshold': 0.5,
    });
    await form.locator('input[name=maintenance-min-file-mib]').fill('');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.locator('[data-testid=compaction-outcome][data-outcome=dry-run]').waitFor();
    expect(await form.getByTestId('compaction-rewritten').textContent()).toBe('3');
    expect(sent.at(-1)).not.toHaveProperty('min-file-size-bytes');
    expect((await filesOf('loose')).length).toBe(3);
    for (const field of ['max-file-mib', 'delete-file-threshold', 'delete-ratio-threshold']) await form.locator(`input[name=maintenance-${field}]`).fill('');

    // A sort order typed in Spark's words, on this unsorted table: a column it lacks is refused on the page; id DESC
    // is sent as the API's sort fields, and the one new file holds the rows by id descending, with no sort-order-id
    // (the table has no such order).
    await form.locator('select[name=maintenance-action]').selectOption('compact');
    await form.locator('input[name=maintenance-min-input-files]').fill('');
    await form.locator('input[name=maintenance-target-mib]').fill('');
    await form.locator('input[name=maintenance-sort-order]').fill('email DESC');
    await form.getByRole('button', { name: 'Run' }).click();
    await form.getByTestId('error').filter({ hasText: 'no column "email"' }).waitFor();
    await form.locator('input[name=maintenance-sort-order]').fill('id DESC');
    expect(await form.getByTestId('maintenance-strategy-hint').textContent()).toMatch(/order typed \(id DESC\)/);
    await form.getByRole('button', { name: 'Run' }).click();
    await form.locator('[data-testid=compaction-outcome][data-outcome=committed]').waitFor();
    expect(await form.getByTestId('compaction-strategy').textContent()).toBe('sort');
    const [typed, ...others] = await filesOf('loose');
    expect(others).toEqual([]);
    expect(typed!.ids).toEqual([...typed!.ids].sort((a, b) => b - a));
    expect(typed!.sortOrderId).toBeUndefined();

    // Sort on a table sorted by id descending: the result as the server answered, the page shows the replace snapshot,
    // and each new file holds its rows in that order with the order's id.
    await page.goto(`${server.url}/ui/catalog/default/table/ud/by_id`);
    form = page.getByRole('form', { name: 'Run maintenance' });
    await form.locator('select[name=maintenance-action]').selectOption('compact');
    await form.locator('select[name=maintenance-strategy]').selectOption('sort');
    expect(await form.getByTestId('maintenance-strategy-hint').textContent()).toContain('identity(id) desc nulls-last');
    await form.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('maintenance-result').waitFor();
    expect(await page.getByTestId('compaction-outcome').getAttribute('data-outcome')).toBe('committed');
    expect(await page.getByTestId('compaction-rewritten').textContent()).toBe('8');
    expect(await page.getByTestId('compaction-added').textContent()).toBe('2');
    expect(await page.getByTestId('compaction-strategy').textContent()).toBe('sort');
    const snapshotId = await page.getByTestId('compaction-snapshot').textContent();
    await expect.poll(async () => page.getByTestId('current-snapshot').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^${snapshotId} \\(replace, `));
    await screenshot(page, 'maintenance-compaction-sort');
    expect((await scanTable(send, `${T}/by_id`)).rows).toEqual(sortedRows);
    const sorted = await filesOf('by_id');
    expect(sorted).toHaveLength(2);
    for (const f of sorted) {
      expect(f.ids).toHaveLength(12);
      expect(f.ids).toEqual([...f.ids].sort((a, b) => b - a));
      expect(f.sortOrderId).toBe(1);
    }

    // binpack on a sorted table: the inputs' order kept, no sort-order-id (unasked, the server would have sorted).
    await page.goto(`${server.url}/ui/catalog/default/table/ud/packed`);
    form = page.getByRole('form', { name: 'Run maintenance' });
    await form.locator('select[name=maintenance-action]').selectOption('compact');
    await form.locator('select[name=maintenance-strategy]').selectOption('binpack');
    await form.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('maintenance-result').waitFor();
    expect(await page.getByTestId('compaction-outcome').getAttribute('data-outcome')).toBe('committed');
    const [packed, ...rest] = await filesOf('packed');
    expect(rest).toEqual([]);
    expect(packed!.ids).toHaveLength(12);
    expect(packed!.ids).not.toEqual([...packed!.ids].sort((a, b) => b - a));
    expect(packed!.sortOrderId).toBeUndefined();
    await context.close();
  });
});
