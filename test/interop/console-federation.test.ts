/**
 * The console's page of a federated warehouse (issue 57) in a real browser (Debian's Chromium driven by
 * playwright-core) against a real `lakegate serve` in front of another `lakegate serve` (the remote, OAuth2 on, as in
 * test/http/federation-rotation.test.ts). On the warehouse's settings page the platform administrator sees that it is
 * federated, its kind, its non-secret settings and only whether a secret is stored; checks the connection (ok); changes
 * a setting, which is saved and shown again after a reload; and, once the remote rotated the secret of the principal
 * the front uses, sees the remote's refusal in "Check connection" and the server's refusal of the old secret (both in
 * the server's words) and the failed check in the remote's failure history, then sends the new secret and is
 * connected again, the failure kept in the history. No secret is ever in the DOM. Screenshot:
 * tmp/console-screenshots/federation-settings.png. A second federated warehouse reaches the remote through a proxy
 * that answers its table loads with a page that is not JSON: 25 tables loaded are 25 entries of its failure history,
 * which the console pages 20 at a time to the oldest, entry for entry as the API lists them (screenshot
 * federation-history.png).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRig, screenshot, signInWithSecret, startConsoleRig } from '../support/console-pages.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { startRemoteProxy, type RemoteProxy } from '../support/remote-proxy.js';
import { type CreatedPrincipal, type ServerProcess, createGrantedPrincipal, startServer } from '../support/server-process.js';

let rig: ConsoleRig;
let remote: ServerProcess;
let remoteAdmin: Send;
let client: CreatedPrincipal;
let proxy: RemoteProxy;
const FEDERATION = '/management/v1/warehouses/fed/federation';

beforeAll(async () => {
  [rig, remote] = await Promise.all([startConsoleRig(), startServer()]);
  remoteAdmin = httpSender(remote.url, await remote.token());
  expect((await remoteAdmin('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
  // The principal the front calls the remote as.
  client = await createGrantedPrincipal(remote, 'front-catalog', ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
  const created = await rig.send('POST', '/management/v1/warehouses', {
    name: 'fed',
    'storage-root': remote.warehouseRoot,
    'storage-profile': { type: 'file' },
    federation: { kind: 'iceberg-rest', uri: remote.url, warehouse: 'default', 'client-id': client.id },
    'federation-secret': { 'client-secret': client.secret },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 5 * 60_000);

afterAll(async () => {
  await proxy?.close();
  await rig?.chrome.close();
  await Promise.all([rig?.server.stop(), remote?.stop()]);
});

async function signedIn(): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await rig.chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const [id, secret] = rig.server.credential.split(':') as [string, string];
  await signInWithSecret(page, rig.server.url, id, secret);
  return { page, close: () => context.close() };
}

const stored = async () =>
  ((await rig.send('GET', '/management/v1/warehouses')).body.warehouses as Array<{ name: string; federation?: Record<string, unknown> }>).find(
    (w) => w.name === 'fed',
  )!.federation!;

/** The page's HTML and the values of its inputs: where a typed or stored secret would show. */
const rendered = async (page: Page) =>
  `${await page.content()}\n${(await page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).join('\n')}`;

describe('console: a federated warehouse', () => {
  it('shows the remote, saves a settings change, shows the remote refusing a rotated secret, and never renders a secret', async () => {
    const { page, close } = await signedIn();
    await page.goto(`${rig.server.url}/ui/catalog/fed`);
    await page.getByRole('link', { name: 'Settings' }).click();
    const section = page.locator('section[aria-labelledby=federation]');
    await section.getByTestId('federation-secret').waitFor();
    expect(await page.getByTestId('federated').textContent()).toContain('iceberg-rest');
    const setting = (key: string) => section.locator(`[data-testid=federation-setting][data-key="${key}"] dd`).textContent();
    expect(await setting('kind')).toBe('iceberg-rest');
    expect(await setting('uri')).toBe(remote.url);
    expect(await setting('client-id')).toBe(client.id);
    expect(await setting('warehouse')).toBe('default');
    expect(await section.getByTestId('federation-secret').textContent()).toBe('stored (encrypted; never shown)');

    // The remote answers with the stored credential.
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    expect(await section.getByTestId('federation-last-answered').textContent()).toMatch(/^The remote last answered /);

    // A setting changed: saved (tested against the remote), shown again after a reload.
    await section.getByRole('button', { name: 'Change the remote' }).click();
    const form = page.getByRole('form', { name: 'Federation settings' });
    const area = form.locator('textarea[name=federation-settings]');
    await area.fill(JSON.stringify({ ...(JSON.parse(await area.inputValue()) as Record<string, unknown>), 'timeout-ms': 5000 }));
    await form.getByRole('button', { name: 'Save federation' }).click();
    await expect
      .poll(async () => form.getByTestId('federation-notice').textContent(), { timeout: 20_000 })
      .toBe('Saved: the remote accepted the new settings.');
    expect(await stored()).toMatchObject({ 'timeout-ms': 5000, 'has-secret': true });
    await page.reload();
    await section.getByTestId('federation-secret').waitFor();
    expect(await setting('timeout-ms')).toBe('5000');

    // The remote rotates the secret of the principal the front uses: "Check connection" shows its refusal.
    const rotation = await remoteAdmin('POST', `/management/v1/principals/${client.id}/rotate-secret`);
    expect(rotation.status, JSON.stringify(rotation.body)).toBe(200);
    const rotated = rotation.body['client-secret'] as string;
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 20_000 }).toBe('false');
    const live = await rig.send('GET', `${FEDERATION}/status`);
    expect(live.body).toMatchObject({ ok: false, error: { code: 502 } });
    expect(await section.getByTestId('federation-remote-error').textContent()).toBe(live.body.error.message);
    expect(live.body.error.message).toContain(`The remote catalog refused the client credentials of client "${client.id}": 401`);
    // The failed check heads the remote's failure history, in the same words.
    const failure = section.getByTestId('federation-failure').first();
    expect(await failure.getAttribute('data-operation')).toBe('check');
    expect(await failure.getByTestId('federation-failure-message').textContent()).toBe(live.body.error.message);
    expect(await failure.textContent()).toContain('BadGatewayException 502');

    // The old secret typed again: the server's refusal in its words, the stored settings unchanged.
    await section.getByRole('button', { name: 'Change the remote' }).click();
    await form.locator('input[name=federation-secret-client-secret]').fill(client.secret);
    await form.getByRole('button', { name: 'Save federation' }).click();
    await form.getByTestId('error').waitFor({ timeout: 20_000 });
    const refusal = (await form.getByTestId('error').textContent())!;
    expect(refusal).toContain(`The remote catalog at ${remote.url} did not pass the connection test: The remote catalog refused the client credentials`);
    expect(await form.locator('input[name=federation-secret-client-secret]').inputValue()).toBe('');

    // The new secret: accepted, and the remote answers again.
    await form.locator('input[name=federation-secret-client-secret]').fill(rotated);
    await form.getByRole('button', { name: 'Save federation' }).click();
    await expect.poll(async () => form.getByTestId('federation-notice').textContent(), { timeout: 20_000 }).toBe('Saved: the remote accepted the new secret.');
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    expect((await rig.send('GET', '/v1/fed/namespaces')).body.namespaces).toContainEqual(['sales']);
    // Connected again, the history keeps the failure.
    expect(await section.locator('[data-testid=federation-failure][data-operation=check]').count()).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'federation-settings');

    // No secret, old or new, is in the page or its inputs.
    const html = await rendered(page);
    expect(html).not.toContain(client.secret);
    expect(html).not.toContain(rotated);
    expect(html).toContain(client.id);
    await close();
  });

  it("pages the remote's whole failure history, 20 at a time, to the oldest entry", async () => {
    proxy = await startRemoteProxy(remote.url);
    const flaky = await createGrantedPrincipal(remote, 'front-flaky', ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
    const created = await rig.send('POST', '/management/v1/warehouses', {
      name: 'flaky',
      // Its tables are never read (the proxy answers their loads); a root of its own, as warehouses may not overlap.
      'storage-root': `${remote.warehouseRoot.replace(/\/+$/, '')}-flaky`,
      'storage-profile': { type: 'file' },
      federation: { kind: 'iceberg-rest', uri: proxy.url, warehouse: 'default', 'client-id': flaky.id },
      'federation-secret': { 'client-secret': flaky.secret },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Every table load answered with a page that is not JSON: a 502 naming the path, one history entry per table.
    proxy.mode = 'html';
    const TABLES = 25;
    for (let i = 1; i <= TABLES; i++) {
      const res = await rig.send('GET', `/v1/flaky/namespaces/sales/tables/t${String(i).padStart(2, '0')}`);
      expect(res.status, JSON.stringify(res.body)).toBe(502);
    }
    const whole = await rig.send('GET', '/management/v1/warehouses/flaky/federation/failures?pageSize=1000');
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    const all = (whole.body.failures as Array<{ operation: string; error: { message: string } }>).map((f) => `${f.operation} ${f.error.message}`);
    expect(all.length).toBe(TABLES);
    expect(all.filter((f) => /^load-table .*\/tables\/t\d\d answered 200 with a body that is not JSON$/.test(f)).length).toBe(TABLES);

    const { page, close } = await signedIn();
    await page.goto(`${rig.server.url}/ui/catalog/flaky/settings`);
    const section = page.locator('section[aria-labelledby=federation]');
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    const table = section.getByTestId('federation-failures');
    const shown = async (n: number) => {
      await expect
        .poll(async () => `${await table.getAttribute('data-page')} ${await table.getAttribute('aria-busy')}`, { timeout: 20_000 })
        .toBe(`${n} false`);
      const rows = table.getByTestId('federation-failure');
      return Promise.all(
        (await rows.all()).map(
          async (row) => `${await row.getAttribute('data-operation')} ${await row.getByTestId('federation-failure-message').textContent()}`,
        ),
      );
    };
    const newer = section.getByRole('button', { name: '← Newer' });
    const older = section.getByRole('button', { name: 'Older →' });
    const first = await shown(1);
    expect(first).toEqual(all.slice(0, 20));
    expect(await newer.isDisabled()).toBe(true);
    await older.click();
    const second = await shown(2);
    // The second page ends with the oldest entry; there is no older page.
    expect(second).toEqual(all.slice(20));
    expect(second.at(-1)).toBe(all.at(-1));
    expect(await older.isDisabled()).toBe(true);
    await screenshot(page, 'federation-history');
    await newer.click();
    expect(await shown(1)).toEqual(first);
    await close();
  });
});
