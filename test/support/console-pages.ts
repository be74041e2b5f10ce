/** Helpers of the web console's browser tests: signing in, screenshots, layout checks, seeding a large namespace. */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
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
 * Stops the page's timers (Playwright's clock, installed before the page loaded) once the page's requests whose URL
 * contains `urlPart` are all answered. Pausing jumps the clock ahead, which fires a timer already due (a poll), and
 * that poll's request may still be open when the pause returns: a test that writes next would race it (the poll
 * could read what the test meant the page to miss). The page's `fetch` is counted in the page itself (the console
 * looks `globalThis.fetch` up at each call), so a request is seen the moment it is made, not when the browser's
 * network events reach this process; this waits until none is open and none was made for `quietMs` after the
 * pause (a poll may first await its session before it fetches). With the clock stopped the page makes no new one.
 */
export async function pauseClockWhenIdle(page: Page, urlPart: string, quietMs = 500): Promise<void> {
  const counts = () =>
    page.evaluate((part) => {
      const w = window as unknown as { fetch: typeof fetch; __lgFetches?: { open: number; made: number } };
      if (w.__lgFetches === undefined) {
        const counter = { open: 0, made: 0 };
        const original = w.fetch.bind(w);
        w.fetch = (input, init) => {
          const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
          if (!url.includes(part)) return original(input, init);
          counter.open++;
          counter.made++;
          return original(input, init).finally(() => counter.open--);
        };
        w.__lgFetches = counter;
      }
      return { ...w.__lgFetches };
    }, urlPart);
  await counts();
  await page.clock.pauseAt(Date.now() + 60_000);
  const deadline = Date.now() + 30_000;
  let seen = await counts();
  let quietSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await counts();
    if (now.open > 0 || now.made !== seen.made) quietSince = Date.now();
    seen = now;
    if (now.open === 0 && Date.now() - quietSince >= quietMs) return;
    if (Date.now() > deadline) throw new Error(`pauseClockWhenIdle: ${now.open} request(s) still open after 30 s`);
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
