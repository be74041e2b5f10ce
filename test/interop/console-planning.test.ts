/**
 * The console's "Plan this filter" (components/plan-scan.tsx) in a real browser (Debian's Chromium driven by
 * playwright-core) against a real `lakegate serve` with async planning on above one data manifest: a table
 * partitioned by identity(category) of three data manifests (a, b, c; one 1000-byte data file each, written by
 * test/support/manifest-writer.ts, with the snapshot summary's totals). Signed in as a principal holding
 * table:read-data, the page plans `category = b` (submitted, then completed with one plan task) and shows 1 file
 * / 1,000 B scanned, 2 files / 2,000 B skipped; a full scan of the same snapshot 3 and 0. A principal with
 * read-metadata only sees the server's refusal. Screenshot: tmp/console-screenshots/table-plan-filter.png.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { screenshot, signInWithSecret } from '../support/console-pages.js';
import { appendUpdates, httpSender, type Send } from '../support/iceberg-http.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { type CreatedPrincipal, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';

let chrome: { browser: Browser; close(): Promise<void> };
let server: ServerProcess;
let send: Send;
let reader: CreatedPrincipal;
let metaOnly: CreatedPrincipal;
const T = '/v1/default/namespaces/pl/tables';
const table = { type: 'table' as const, warehouse: 'default', namespace: ['pl'], name: 'events' };

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'console', 'dist', 'index.html'))) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages', 'console', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  chrome = await launchChromium();
  server = await startServer({ env: { LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '1' } });
  send = httpSender(server.url, await server.token());
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['pl'] })).status).toBe(200);
  const created = await send('POST', T, {
    name: 'events',
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', type: 'long', required: false },
        { id: 2, name: 'category', type: 'string', required: false },
      ],
    },
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'category', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const location = created.body.metadata.location as string;
  const manifests: TestManifest[] = [];
  for (const [i, c] of ['a', 'b', 'c'].entries()) {
    const file = `${location}/metadata/m-${c}.avro`;
    const length = await writeManifest(
      file,
      ['category'],
      [
        {
          status: 1,
          snapshotId: 1n,
          sequenceNumber: 1,
          file: { path: `${location}/data/${c}1.parquet`, partition: [c], records: 10, longBounds: [[1, i * 10, i * 10 + 9]] },
        },
      ],
      0,
    );
    manifests.push({ path: file, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n });
  }
  const list = `${location}/metadata/snap-1.avro`;
  await writeManifestList(list, manifests);
  const commit = appendUpdates(created.body.metadata, list);
  // The writer gives every data file 1000 bytes; the summary totals are what the panel compares against.
  commit.updates[0]!.snapshot!.summary = {
    operation: 'append',
    'total-data-files': '3',
    'total-files-size': '3000',
    'total-records': '30',
  };
  expect((await send('POST', `${T}/events`, { requirements: commit.requirements, updates: commit.updates })).status).toBe(200);
  reader = await createGrantedPrincipal(server, 'console-planner', ['table:read-metadata', 'table:read-data'], table);
  metaOnly = await createGrantedPrincipal(server, 'console-meta-only', ['table:read-metadata'], table);
}, 15 * 60_000);

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

async function planned(page: Page) {
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
  await page.getByTestId('plan-result').waitFor();
  const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim();
  return {
    scanned: await text('plan-files-scanned'),
    skipped: await text('plan-files-skipped'),
    bytesScanned: await text('plan-bytes-scanned'),
    bytesSkipped: await text('plan-bytes-skipped'),
  };
}

describe('console: plan this filter', () => {
  it('plans a filter as the signed-in reader (async plan, plan tasks followed) and shows files and bytes scanned vs skipped', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInWithSecret(page, server.url, reader.id, reader.secret);
    await page.goto(`${server.url}/ui/catalog/default/table/pl/events`);
    const form = page.getByRole('form', { name: 'Plan this filter' });
    await form.waitFor();
    await form.locator('select[name=plan-column]').selectOption('category');
    await form.locator('select[name=plan-op]').selectOption('eq');
    await form.locator('input[name=plan-value]').fill('b');
    expect(await planned(page)).toEqual({ scanned: '1', skipped: '2', bytesScanned: '1,000 B', bytesSkipped: '2,000 B' });
    expect(await page.getByTestId('plan-file').evaluateAll((rows) => rows.map((r) => r.querySelector('td')?.textContent?.split('/').pop()))).toEqual([
      'b1.parquet',
    ]);
    await screenshot(page, 'table-plan-filter');
    await form.locator('select[name=plan-column]').selectOption('');
    expect(await planned(page)).toEqual({ scanned: '3', skipped: '0', bytesScanned: '3,000 B', bytesSkipped: '0 B' });
    // The server saw the async round trip: a submitted plan, then its plan tasks expanded.
    const log = await server.settledOutput();
    expect(log).toMatch(/tables\/events\/plan\/[0-9a-f-]{36}/);
    expect(log).toMatch(/tables\/events\/tasks/);
    await context.close();
  });

  it('shows the refusal to a principal with read-metadata only', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInWithSecret(page, server.url, metaOnly.id, metaOnly.secret);
    await page.goto(`${server.url}/ui/catalog/default/table/pl/events`);
    const form = page.getByRole('form', { name: 'Plan this filter' });
    await form.waitFor();
    await form.getByRole('button', { name: 'Plan', exact: true }).click();
    await expect.poll(async () => form.getByTestId('error').textContent()).toMatch(/table:read-data/);
    await context.close();
  });
});
