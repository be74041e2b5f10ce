/**
 * The console's change feed when retention overtook it, in a real browser (Debian's Chromium driven by
 * playwright-core) against a real `lakegate serve` on SQLite. The page follows the warehouse's stream; with its timers
 * paused (Playwright's clock) events are written and then deleted by the outbox's retention delete (the sweep's own
 * store call, on the server's database file), so the page's cursor is older than what was deleted. On its next poll
 * the server answers 410 with the oldest cursor it still answers; the page says which events it missed and goes on
 * from there (the event written after the deletion appears) instead of showing an error.
 * Screenshot: tmp/console-screenshots/activity-events-expired.png.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { pauseClockWhenIdle, screenshot, signInWithSecret, startConsoleRig } from '../support/console-pages.js';
import type { Send } from '../support/iceberg-http.js';
import type { ServerProcess } from '../support/server-process.js';

let chrome: { browser: Browser; close(): Promise<void> };
let server: ServerProcess;
let send: Send;

beforeAll(async () => {
  ({ chrome, server, send } = await startConsoleRig());
}, 15 * 60_000);

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

const head = async () => Number((await send('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next);

describe('console: the change feed behind retention', () => {
  it('says which events retention deleted before it read them, and follows on from the oldest cursor still answered', async () => {
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['seen-first'] })).status).toBe(200);
    const seen = await head();
    const [id, secret] = server.credential.split(':') as [string, string];
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.clock.install();
    await signInWithSecret(page, server.url, id, secret);
    await page.goto(`${server.url}/ui/activity`);
    const feed = page.getByRole('table', { name: 'Latest change events' });
    await feed.getByRole('cell', { name: 'seen-first', exact: true }).waitFor();

    // The page's timers stop: it holds its cursor while events come and go. The poll the pause itself fires is
    // answered first, or it could read the events written next (CI once saw the page resume after #2, not #1).
    await pauseClockWhenIdle(page, '/management/v1/events');
    for (const ns of ['missed-1', 'missed-2']) expect((await send('POST', '/v1/default/namespaces', { namespace: [ns] })).status).toBe(200);
    const deletedThrough = await head();
    const store = new SqliteCatalogStore(path.join(server.dataDir, 'catalog.sqlite'));
    try {
      expect(await store.outbox.deleteBefore(Date.now() + 1)).toBeGreaterThanOrEqual(3);
      expect(await store.outbox.deletedThrough('default')).toBe(deletedThrough);
    } finally {
      await store.close();
    }
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['after-retention'] })).status).toBe(200);

    // Its next poll: told, not failed; the feed goes on.
    await page.clock.runFor(5_000);
    const notice = page.getByTestId('events-expired');
    await notice.waitFor();
    expect(await notice.innerText()).toBe(
      `Events after #${seen} up to #${deletedThrough} were deleted by the server's retention before this page read them; following on from #${deletedThrough}.`,
    );
    await feed.getByRole('cell', { name: 'after-retention', exact: true }).waitFor();
    expect(await feed.getByRole('cell', { name: 'missed-1', exact: true }).count()).toBe(0);
    expect(await page.getByTestId('error').count()).toBe(0);
    await screenshot(page, 'activity-events-expired');
    await context.close();
  });
});
