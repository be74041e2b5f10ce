/** Helpers of the web console's browser tests: signing in, screenshots, layout checks, seeding a large namespace. */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page, Request } from 'playwright-core';
import { launchChromium } from './browser.js';
import { httpSender, type Send } from './iceberg-http.js';
import { REPO_ROOT, type ServerOptions, type ServerProcess, startServer } from './server-process.js';

/** Where the test run saves its screenshots (ignored by git: /tmp/ in the repository). */
export const SCREENSHOTS = path.join(REPO_ROOT, 'tmp', 'console-screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Builds the console (packages/console/dist) when this checkout has no build of it yet. */
export function ensureConsoleBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'console', 'dist', 'index.html'))) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages', 'console', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
}

export interface ConsoleRig {
  chrome: { browser: Browser; close(): Promise<void> };
  server: ServerProcess;
  /** The server's bootstrap admin over HTTP. */
  send: Send;
}

/** The console built, a headless Chromium, a `lakegate serve` (options as startServer's) and its admin. */
export async function startConsoleRig(options: ServerOptions = {}): Promise<ConsoleRig> {
  ensureConsoleBuilt();
  const chrome = await launchChromium();
  const server = await startServer(options);
  return { chrome, server, send: httpSender(server.url, await server.token()) };
}

/** Signs in on the console's sign-in page with a principal's client id and secret. */
export async function signInWithSecret(page: Page, serverUrl: string, clientId: string, secret: string): Promise<void> {
  await page.goto(`${serverUrl}/ui/`);
  await page.getByLabel('Client id').fill(clientId);
  await page.getByLabel('Client secret').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').getByText(`service:${clientId}`).waitFor();
}

/**
 * Stops the page's timers (Playwright's clock, installed before the page loaded) once the requests `matches` picks
 * are all answered. Pausing jumps the clock ahead, which fires a timer already due (a poll), and that poll's request
 * may still be open when this returns from the pause alone: a test that writes next would race it (the poll could
 * read what the test meant the page to miss). So this waits until none is open and none opened for `quietMs`;
 * with the clock stopped the page opens no new one of its own.
 */
export async function pauseClockWhenIdle(page: Page, matches: (url: string) => boolean, quietMs = 500): Promise<void> {
  let open = 0;
  let lastChange = Date.now();
  const opened = (r: Request) => matches(r.url()) && (open++, (lastChange = Date.now()));
  const closed = (r: Request) => matches(r.url()) && (open--, (lastChange = Date.now()));
  page.on('request', opened);
  page.on('requestfinished', closed);
  page.on('requestfailed', closed);
  try {
    await page.clock.pauseAt(Date.now() + 60_000);
    const deadline = Date.now() + 30_000;
    while (open > 0 || Date.now() - lastChange < quietMs) {
      if (Date.now() > deadline) throw new Error(`pauseClockWhenIdle: ${open} request(s) still open after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    page.off('request', opened);
    page.off('requestfinished', closed);
    page.off('requestfailed', closed);
  }
}

/** Elements that reach past the right edge of the viewport (tag.class and their right edge); boxes that scroll are exempt. */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.scroll, table.grid'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
  );
}

/**
 * Writes `count` table rows (t000000, t000001, …) of an existing namespace straight into a server's SQLite file:
 * creating them through the API would take minutes, and listings read only these rows.
 */
export function seedTables(dataDir: string, warehouse: string, namespace: string, count: number, root: string): void {
  const db = new Database(path.join(dataDir, 'catalog.sqlite'));
  try {
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare(
      'insert into catalog_objects (id, warehouse, namespace, name, kind, uuid, location, metadata_location, metadata, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const name = `t${String(i).padStart(6, '0')}`;
        const location = `${root}/${namespace}/${name}`;
        insert.run(randomUUID(), warehouse, namespace, name, 'table', randomUUID(), location, `${location}/metadata/00000.metadata.json`, '{}', 1, 1);
      }
    })();
  } finally {
    db.close();
  }
}
