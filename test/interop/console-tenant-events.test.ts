/**
 * The console's Activity page shows the tenant's own events (roles, role members, principals: `GET
 * /management/v1/events` without a warehouse) to administrators of the tenant, in a real browser (Debian's Chromium
 * driven by playwright-core) against a real `lakegate serve`. A tenant administrator (a principal holding the admin
 * role, not the bootstrap admin) picks "tenant default" in the stream selector and sees the role and principal
 * events, a role created meanwhile appears on the next refresh, and the tenant's webhook sink is listed; a principal
 * that is not an administrator is not offered the option and is told who may read those events (the server answers
 * it 403). Screenshots: tmp/console-screenshots/activity-tenant-events*.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, signInWithSecret, startConsoleRig } from '../support/console-pages.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type CreatedPrincipal, createGrantedPrincipal, type ServerProcess } from '../support/server-process.js';

let chrome: { browser: Browser; close(): Promise<void> };
let server: ServerProcess;
let send: Send;
let tenantAdmin: CreatedPrincipal;
let reader: CreatedPrincipal;

beforeAll(async () => {
  ({ chrome, server, send } = await startConsoleRig());
  expect((await send('POST', '/management/v1/roles', { name: 'analysts', description: 'read the lake' })).status).toBe(201);
  const created = await send('POST', '/management/v1/principals', { name: 'console-tenant-admin', roles: ['admin'] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  tenantAdmin = { id: created.body['client-id'], secret: created.body['client-secret'], credential: '' };
  expect(
    (await send('POST', '/management/v1/tenants/default/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:41299/tenant-hook' } })).status,
  ).toBe(201);
  reader = await createGrantedPrincipal(server, 'console-events-reader', ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
}, 15 * 60_000);

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('console: tenant events on the Activity page', () => {
  it('a tenant administrator picks the tenant stream and follows its role and principal events', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInWithSecret(page, server.url, tenantAdmin.id, tenantAdmin.secret);
    await page.goto(`${server.url}/ui/activity`);
    const select = page.getByLabel('Event stream');
    await select.locator('option', { hasText: 'tenant default' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: 'tenant default: roles, members, principals' });
    const feed = page.getByRole('table', { name: 'Latest change events' });
    await feed.getByRole('cell', { name: 'role/analysts' }).waitFor();
    const rows = async () => (await feed.locator('tbody tr').allInnerTexts()).map((r) => r.split('\t').slice(2, 4).join(' '));
    // Newest first: the reader's own role and its membership (createGrantedPrincipal), the two principals, the first role.
    expect(await rows()).toEqual([
      `role.member-added role/${reader.id}-role`,
      `role.created role/${reader.id}-role`,
      `principal.created principal/${reader.id}`,
      `principal.created principal/${tenantAdmin.id}`,
      'role.created role/analysts',
    ]);
    // The tenant's sinks, as for a warehouse.
    await page.getByRole('table', { name: 'Event sinks' }).getByText('http://127.0.0.1:41299/tenant-hook').waitFor();
    // A change made meanwhile appears on the next refresh, newest first.
    expect((await send('POST', '/management/v1/roles', { name: 'auditors', description: '' })).status).toBe(201);
    await feed.getByRole('cell', { name: 'role/auditors' }).waitFor({ timeout: 15_000 });
    expect((await rows())[0]).toBe('role.created role/auditors');
    await expect(page.getByTestId('tenant-events-forbidden').count()).resolves.toBe(0);
    await screenshot(page, 'activity-tenant-events');
    // Back to a warehouse: its own stream, not the tenant's.
    await select.selectOption({ label: 'warehouse default' });
    await expect(feed.getByRole('cell', { name: 'role/auditors' }).count()).resolves.toBe(0);
    await context.close();
  });

  it('someone who is not an administrator is not offered the tenant stream and is told why', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInWithSecret(page, server.url, reader.id, reader.secret);
    await page.goto(`${server.url}/ui/activity`);
    await page.getByTestId('tenant-events-forbidden').waitFor();
    expect(await page.getByTestId('tenant-events-forbidden').innerText()).toMatch(/administrators of the tenant only/);
    const options = await page.getByLabel('Event stream').locator('option').allInnerTexts();
    expect(options.some((o) => o.includes('tenant'))).toBe(false);
    await screenshot(page, 'activity-tenant-events-forbidden');
    // The server, not the console, decides: the same read is refused with a clear 403.
    const refused = await httpSender(server.url, await (await import('../support/server-process.js')).clientToken(server.url, reader.credential))(
      'GET',
      '/management/v1/events',
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/admin/);
    await context.close();
  });
});
