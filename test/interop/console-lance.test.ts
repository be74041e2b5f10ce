/**
 * The web console's Lance table page in a real browser (Debian's Chromium driven by playwright-core) against a real
 * `lakegate serve`: LanceDB Python 0.40 (peers/lance) creates a table of catalog-managed versions, appends twice and
 * restores version 1 (LanceDB commits that restore itself, as version 4); the page lists the four versions as the
 * catalog recorded them, newest first (number, time, the committing principal, the manifest file), the same as
 * ListTableVersions answers. A screenshot goes to tmp/console-screenshots/lance-table-versions.png.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { launchChromium } from '../support/browser.js';
import { screenshot, signInWithSecret } from '../support/console-pages.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const SCRIPT = path.join(REPO_ROOT, 'peers', 'lance', 'managed_versions.py');

let chrome: { browser: Browser; close(): Promise<void> };
let server: ServerProcess;
let send: Send;
let writerId = '';

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'console', 'dist', 'index.html'))) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages', 'console', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  const python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
  chrome = await launchChromium();
  server = await startServer();
  send = httpSender(server.url, await server.token());
  const writer = await createGrantedPrincipal(server, 'lance-console-writer', [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], {
    type: 'warehouse',
    warehouse: 'default',
  });
  writerId = writer.id;
  expect((await send('POST', '/lance/default/v1/namespace/cl/create', {})).status).toBe(200);
  const token = await clientToken(server.url, writer.credential);
  const run = await runAsync(python, [SCRIPT, 'history', `${server.url}/lance/default`, token, 'cl', 'events'], { timeoutMs: 5 * 60_000 });
  expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
}, 15 * 60_000);

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('console: a Lance table of catalog-managed versions', () => {
  it('lists its versions newest first as the catalog recorded them: number, time, committer, manifest', async () => {
    const listed = await send('POST', '/lance/default/v1/table/cl%24events/version/list?descending=true', {});
    expect(listed.status).toBe(200);
    const versions = listed.body.versions as Array<{ version: number; manifest_path: string; timestamp_millis: number }>;
    expect(versions.map((v) => v.version)).toEqual([4, 3, 2, 1]);

    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const [adminId, adminSecret] = server.credential.split(':') as [string, string];
    await signInWithSecret(page, server.url, adminId, adminSecret);
    await page.goto(`${server.url}/ui/catalog/default/lance/cl/events`);
    await page.getByTestId('lance-versions').waitFor();
    const rows = await page
      .getByTestId('lance-version')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => Number(r[0]))).toEqual([4, 3, 2, 1]);
    expect(rows.map((r) => r[3])).toEqual(versions.map((v) => v.manifest_path));
    expect(rows.map((r) => r[1])).toEqual(
      versions.map((v) =>
        new Date(v.timestamp_millis)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z'),
      ),
    );
    for (const r of rows) expect(r[2]).toContain(writerId);
    expect(await page.getByText('Versions managed by').isVisible()).toBe(true);
    await screenshot(page, 'lance-table-versions');
    await context.close();
  });
});
