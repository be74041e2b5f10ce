/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against a real `lakegate serve`
 * that trusts the run's Keycloak: sign-in with a principal's client credentials and with Keycloak (Authorization
 * Code + PKCE); browsing to a table PyIceberg wrote (two snapshots on the timeline) and to a view; granting a
 * reader role while explain changes and the audit view shows the reader's denied, then allowed request; a reader
 * whose grant editor save is refused with a readable 403; the cookie's flags, no token in web storage, CSRF
 * refusals from inside the page, sign-out revoking the session, a namespace of 100,000 tables, and the audit view
 * following a delegated user through its act chain. Screenshots of the main pages go to
 * tmp/console-screenshots/ (ignored by git).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL, grant as grantTo, addMember, ensureRole } from '../support/access.js';
import { launchChromium } from '../support/browser.js';
import { overflowing, screenshot, seedTables, signInWithSecret } from '../support/console-pages.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { httpSender } from '../support/iceberg-http.js';
import { KEYCLOAK_CLIENTS, KEYCLOAK_USERS, type Keycloak, startKeycloak, trustedIssuers } from '../support/keycloak.js';
import { pyicebergPython } from '../support/peers.js';
import {
  clientToken,
  type CreatedPrincipal,
  createGrantedPrincipal,
  createPrincipal,
  REPO_ROOT,
  type ServerProcess,
  startServer,
} from '../support/server-process.js';
import { logSettled, requestLog } from '../support/request-log.js';
import { runAsync } from '../support/temp.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let chrome: { browser: Browser; close(): Promise<void> };
let kc: Keycloak;
let minio: Minio;
/** A warehouse on MinIO: readers are vended read-only S3 credentials, and every vending is in the audit trail. */
const WH = 'lake';
let server: ServerProcess;
let reader: CreatedPrincipal;
let adminId: string;
let adminSecret: string;
let snapshotIds: string[];
let adminContext: BrowserContext;
let admin: Page;
/** What the browser reported as blocked by the console's Content-Security-Policy (nothing may be). */
const cspViolations: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, 'packages', 'console', 'dist', 'index.html'))) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'packages', 'console', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  const python = pyicebergPython();
  chrome = await launchChromium();
  kc = await startKeycloak();
  minio = await startMinio();
  await minio.createBucket('console-lake');
  const oidc = [{ issuer: kc.issuer, 'client-id': KEYCLOAK_CLIENTS.console.clientId, scope: 'openid catalog', label: 'Keycloak' }];
  server = await startServer({ env: { LAKEGATE_TRUSTED_ISSUERS: trustedIssuers(kc), LAKEGATE_CONSOLE_OIDC: JSON.stringify(oidc) } });
  [adminId, adminSecret] = server.credential.split(':') as [string, string];
  const send = httpSender(server.url, await server.token());
  expect((await send('POST', '/management/v1/warehouses', minioWarehouse(minio, WH, 'console-lake'))).status).toBe(201);
  const writer = await createGrantedPrincipal(server, 'pyiceberg-writer', READ_WRITE_ALL, { type: 'warehouse', warehouse: WH });
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'console_orders.py')], {
    env: { ...process.env, CATALOG_URI: server.url, CATALOG_WAREHOUSE: WH, CATALOG_CREDENTIAL: writer.credential },
    timeoutMs: 5 * 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const written = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { snapshots: string[]; rows: number };
  expect(written.rows).toBe(5);
  snapshotIds = written.snapshots;
  expect(snapshotIds).toHaveLength(2);
  const view = await send('POST', `/v1/${WH}/namespaces/sales/views`, {
    name: 'orders_by_country',
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'country', type: 'string', required: false },
        { id: 2, name: 'total', type: 'double', required: false },
      ],
    },
    'view-version': {
      'version-id': 1,
      'schema-id': 0,
      'timestamp-ms': Date.now(),
      summary: { 'engine-name': 'spark' },
      'default-namespace': ['sales'],
      representations: [
        { type: 'sql', dialect: 'spark', sql: 'SELECT customer.country AS country, sum(amount) AS total FROM orders GROUP BY customer.country' },
        { type: 'sql', dialect: 'trino', sql: 'SELECT customer.country AS country, sum(amount) AS total FROM orders GROUP BY 1' },
      ],
    },
    properties: {},
  });
  expect(view.status).toBe(200);
  // Catalog-supplied labels (issue 58), set as a tenant administrator would; the pages show them under "Labels".
  const loaded = (await send('GET', `/v1/${WH}/namespaces/sales/tables/orders`)).body as {
    metadata: { schemas: Array<{ fields: Array<{ id: number; name: string }> }> };
  };
  const idField = loaded.metadata.schemas.at(-1)!.fields.find((f) => f.name === 'id')!.id;
  const labels = { 'object-labels': { classification: 'internal', steward: 'sales-ops' }, fields: [{ 'field-id': idField, labels: { pii: 'none' } }] };
  expect((await send('PUT', `/management/v1/warehouses/${WH}/namespaces/sales/tables/orders/labels`, labels)).status).toBe(200);
  expect(
    (await send('PUT', `/management/v1/warehouses/${WH}/namespaces/sales/views/orders_by_country/labels`, { 'object-labels': { tier: 'gold' } })).status,
  ).toBe(200);
  reader = await createPrincipal(server, 'reader');
  adminContext = await chrome.browser.newContext({ viewport: DESKTOP });
  admin = await adminContext.newPage();
  admin.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
});

afterAll(async () => {
  await chrome?.close();
  await server?.stop();
  await kc?.stop();
  await minio?.stop();
});

const shot = screenshot;
/** A cell row's text with its cells' separators (tabs, newlines) as single spaces. */
const words = (text: string) => text.trim().split(/\s+/).join(' ');
const readerSend = async () => httpSender(server.url, await clientToken(server.url, reader.credential));

describe('sign-in with client credentials', () => {
  it('lakegate serve prints the console URL; the session lives in an httpOnly SameSite=Strict cookie and nowhere else', async () => {
    expect(server.output()).toContain(`Web console: ${server.url}/ui/`);
    await signInWithSecret(admin, server.url, adminId, adminSecret);
    const cookies = await adminContext.cookies(server.url);
    const session = cookies.find((c) => c.name === 'lakegate_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const storage = await admin.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }));
    expect(storage).toEqual({ cookie: '', local: 0, session: 0 });
    // A script on the page cannot make a change without the CSRF header, even with the cookie.
    const forged = await admin.evaluate(
      async () => (await fetch('/management/v1/roles', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"forged"}' })).status,
    );
    expect(forged).toBe(403);
    await admin.getByRole('heading', { name: 'Tenant default' }).waitFor();
    await shot(admin, 'catalog');
  });
});

describe('catalog browser', () => {
  it('browses to the PyIceberg table and shows its two snapshots on the timeline, its nested schema and layout', async () => {
    await admin.getByRole('link', { name: WH, exact: true }).click();
    await admin.getByTestId('namespaces').getByRole('link', { name: 'sales' }).click();
    await admin.getByTestId('tables').getByRole('link', { name: 'orders' }).click();
    await admin.getByTestId('timeline-chart').locator('canvas').first().waitFor();
    const rows = admin.getByTestId('timeline-snapshot');
    await expect.poll(() => rows.count()).toBe(2);
    const text = await admin.getByTestId('snapshot-list').innerText();
    for (const id of snapshotIds) expect(text).toContain(id);
    expect(text).toMatch(/append/);
    expect(text).toContain('main');
    await expect.poll(() => admin.getByTestId('current-snapshot').innerText()).toContain(snapshotIds.at(-1)!);
    const schema = await admin.getByRole('tree', { name: 'Schema' }).innerText();
    expect(schema).toMatch(/customer\s+struct/);
    expect(schema).toMatch(/country\s+string/);
    expect(await admin.getByText(/bucket\[4\]\(id\) as id_bucket/).count()).toBe(1);
    expect(await admin.locator('.details').innerText()).toContain('owner');
    // The labels an administrator set: the table's own, and its id column's by name.
    expect((await admin.getByTestId('object-label').allInnerTexts()).map(words)).toEqual(['classification internal', 'steward sales-ops']);
    expect(await admin.getByTestId('labels').innerText()).toMatch(/column id[\s\S]*pii\s+none/);
    await shot(admin, 'table');
    await admin.setViewportSize(PHONE);
    // Readable on a phone: nothing is wider than the screen (wide tables scroll inside their own box). Polled: the
    // timeline chart takes the new width in a ResizeObserver callback, at the browser's next frame, which a loaded
    // machine may not draw within a fixed wait.
    await expect.poll(() => overflowing(admin), { timeout: 10_000 }).toEqual([]);
    await shot(admin, 'table-phone');
    await admin.setViewportSize(DESKTOP);
  });

  it('shows a view with its SQL per dialect', async () => {
    await admin.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'sales' }).click();
    await admin.getByTestId('views').getByRole('link', { name: 'orders_by_country' }).click();
    const sql = admin.getByTestId('view-sql');
    await expect.poll(() => sql.count()).toBe(2);
    const all = (await sql.allInnerTexts()).join('\n');
    expect(all).toContain('spark');
    expect(all).toContain('trino');
    expect(all).toContain('GROUP BY customer.country');
    expect((await admin.getByTestId('object-label').allInnerTexts()).map(words)).toEqual(['tier gold']);
    await shot(admin, 'view');
  });

  it('opens a namespace of 100,000 tables at once: one page is fetched, the next on demand', async () => {
    const send = httpSender(server.url, await server.token());
    expect((await send('POST', `/v1/${WH}/namespaces`, { namespace: ['big'] })).status).toBe(200);
    seedTables(server.dataDir, WH, 'big', 100_000, 's3://console-lake/wh');
    const listings = () => requestLog(server.output()).filter((r) => r.method === 'GET' && r.path === `/v1/${WH}/namespaces/big/tables`);
    await logSettled(server);
    expect(listings()).toHaveLength(0);
    const started = Date.now();
    await admin.goto(`${server.url}/ui/catalog/${WH}/ns/big`);
    const tables = admin.getByTestId('tables');
    await tables.getByRole('link', { name: 't000099' }).waitFor();
    const shownInMs = Date.now() - started;
    expect(await tables.getByRole('listitem').count()).toBe(100);
    await logSettled(server);
    expect(listings()).toHaveLength(1);
    expect(listings()[0]!.url).toContain('pageSize=100');
    await tables.getByRole('button', { name: 'Next →' }).click();
    await tables.getByRole('link', { name: 't000199' }).waitFor();
    await tables.getByRole('button', { name: '← Previous' }).click();
    await tables.getByRole('link', { name: 't000000' }).waitFor();
    await logSettled(server);
    expect(listings().length).toBeLessThanOrEqual(3);
    // Responsive: the page of a namespace this size shows in a few seconds even on a busy 2-core machine.
    expect(shownInMs).toBeLessThan(10_000);
    console.log(`console: namespace of 100,000 tables showed its first page in ${shownInMs} ms (${listings().length} listing requests)`);
    await shot(admin, 'namespace-100k');
  });
});

describe('access', () => {
  it('grants a reader role: explain turns from denied to allowed, and the audit view shows the denied then the allowed request', async () => {
    const asReader = await readerSend();
    // As real clients ask: with vended credentials (the data-bearing decision the audit trail records either way).
    const vended = { 'x-iceberg-access-delegation': 'vended-credentials' };
    expect((await asReader('GET', `/v1/${WH}/namespaces/sales/tables/orders`, undefined, vended)).status).toBe(403);

    await admin.getByRole('link', { name: 'Access' }).click();
    const explain = admin.getByRole('form', { name: 'Explain' });
    const explainSecurable = admin.locator('fieldset.securable').last();
    await explainSecurable.getByLabel('Type').selectOption('table');
    await explainSecurable.getByRole('textbox', { name: 'Warehouse', exact: true }).fill(WH);
    await explainSecurable.getByRole('textbox', { name: 'Namespace', exact: true }).fill('sales');
    await explainSecurable.getByRole('textbox', { name: 'Name', exact: true }).fill('orders');
    await explain.getByRole('textbox', { name: 'Name', exact: true }).fill(reader.id);
    await explain.getByLabel('Privilege').selectOption('table:read-data');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => admin.getByTestId('explain-result').innerText()).toMatch(/^Denied/);

    await admin.getByLabel('New role').fill('readers');
    await admin.getByRole('button', { name: 'Create' }).click();
    const detail = admin.getByTestId('role-detail');
    await detail.getByRole('heading', { name: 'Role readers' }).waitFor();
    await detail.getByLabel('Member name').fill(reader.id);
    await detail.getByRole('button', { name: 'Add member' }).click();
    await expect.poll(() => detail.getByTestId('members').innerText()).toContain(reader.id);

    const editor = admin.getByTestId('grant-editor');
    await editor.getByLabel('Roles (comma-separated)').fill('readers');
    await editor.getByLabel('Type').selectOption('namespace');
    await editor.getByRole('textbox', { name: 'Warehouse', exact: true }).fill(WH);
    await editor.getByRole('textbox', { name: 'Namespace', exact: true }).fill('sales');
    await editor.getByRole('button', { name: 'Save grant' }).click();
    await expect.poll(() => admin.getByTestId('grant-saved').innerText()).toContain(`namespace ${WH}/sales`);

    await explain.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => admin.getByTestId('explain-result').innerText()).toMatch(/^Allowed/);
    expect(await admin.getByTestId('explain-result').innerText()).toContain('readers');
    await shot(admin, 'access');

    expect((await asReader('GET', `/v1/${WH}/namespaces/sales/tables/orders`, undefined, vended)).status).toBe(200);
    const trail = (await httpSender(server.url, await server.token())('GET', `/management/v1/audit?actor=${reader.id}`)).body.events as Array<{
      decision?: string;
      type: string;
      action?: string;
      object?: string;
    }>;
    expect(trail.map((e) => `${e.type} ${e.decision} ${e.action} ${e.object}`)).toEqual(
      expect.arrayContaining([`credentials.vended allow table:read-data ${WH}/sales.orders`]),
    );

    // The table page says which storage credentials the reader would now be vended.
    await admin.goto(`${server.url}/ui/catalog/${WH}/table/sales/orders`);
    const creds = admin.getByRole('form', { name: 'Vended credentials' });
    await creds.getByRole('textbox', { name: 'Name', exact: true }).fill(reader.id);
    await creds.getByRole('button', { name: 'Which credentials?' }).click();
    await expect.poll(() => admin.getByTestId('credentials-result').innerText()).toContain('would get read-only storage credentials');

    await admin.getByRole('link', { name: 'Activity' }).click();
    await admin.getByLabel('Actor').fill(reader.id);
    await admin.getByLabel('Object').fill('sales.orders');
    await admin.getByRole('button', { name: 'Apply' }).click();
    const decisions = async () => {
      await admin.getByRole('button', { name: 'Refresh' }).click();
      await admin.waitForTimeout(300);
      return admin.getByTestId('audit-event').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-decision')));
    };
    await expect.poll(decisions, { timeout: 15_000 }).toEqual(expect.arrayContaining(['deny', 'allow']));
    // Newest first: the allowed request came after the denied one.
    const order = await decisions();
    expect(order.indexOf('allow')).toBeLessThan(order.lastIndexOf('deny'));
    await admin.getByRole('button', { name: 'Clear' }).click();
    await admin.getByTestId('metrics-charts').waitFor({ timeout: 20_000 });
    expect(await admin.getByTestId('metrics-charts').locator('canvas').count()).toBe(3);
    // Every page so far (charts included) ran under the strict CSP without a violation.
    expect(cspViolations).toEqual([]);
    // One more sample, so each chart has a line (for the screenshot).
    await admin.waitForTimeout(5_500);
    await shot(admin, 'activity');
  });

  it("a reader's grant editor save is refused with a readable message (403), and nothing is granted", async () => {
    const context = await chrome.browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      await signInWithSecret(page, server.url, reader.id, reader.secret);
      await page.getByRole('link', { name: 'Access' }).click();
      const editor = page.getByTestId('grant-editor');
      await editor.getByLabel('Roles (comma-separated)').fill('readers');
      await editor.getByLabel('table:write-data').check();
      await editor.getByLabel('Type').selectOption('namespace');
      await editor.getByRole('textbox', { name: 'Warehouse', exact: true }).fill(WH);
      await editor.getByRole('textbox', { name: 'Namespace', exact: true }).fill('sales');
      await editor.getByRole('button', { name: 'Save grant' }).click();
      const error = editor.getByTestId('error');
      await expect.poll(() => error.innerText()).toMatch(/^Not allowed: .+\. Ask an administrator for a grant if you need this\.$/);
      expect(await editor.getByTestId('grant-saved').count()).toBe(0);
      // The roles list is refused to a non-administrator too, and says so in words.
      expect(await page.getByTestId('error').first().innerText()).toMatch(/Not allowed/);
      await shot(page, 'access-denied');
      const grants = (await httpSender(server.url, await server.token())('GET', '/management/v1/grants?role=readers')).body.grants as Array<{
        privilege: string;
      }>;
      expect(grants.map((g) => g.privilege)).not.toContain('table:write-data');
    } finally {
      await context.close();
    }
  });
});

describe('principals', () => {
  it('creates a principal and shows its secret once', async () => {
    await admin.getByRole('link', { name: 'Principals' }).click();
    await admin.getByLabel('New principal').fill('console-made');
    await admin.getByRole('button', { name: 'Create' }).click();
    const secret = admin.getByTestId('secret-once');
    await secret.waitFor();
    const credential = await secret.locator('code').innerText();
    expect(credential).toMatch(/^console-made-[0-9a-f]{8}:.{20,}$/);
    await shot(admin, 'principals');
    await secret.getByRole('button', { name: 'I have stored it' }).click();
    expect(await admin.getByTestId('secret-once').count()).toBe(0);
    expect(await admin.locator('body').innerText()).not.toContain(credential.split(':')[1]!);
  });

  it('disables and enables a principal, and lists and revokes its access key', async () => {
    const { id, credential } = await createPrincipal(server, 'console-switched');
    const row = admin.getByTestId('principals').locator('tr', { hasText: id });
    await admin.reload();
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await row.innerText()).toContain('disabled');
    await expect(clientToken(server.url, credential)).rejects.toThrow();
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByRole('button', { name: 'Disable' }).waitFor();
    expect(await clientToken(server.url, credential)).toEqual(expect.any(String));

    await row.getByRole('button', { name: 'New access key' }).click();
    const secret = admin.getByTestId('secret-once');
    const [keyId] = (await secret.locator('code').innerText()).split(' / ') as [string];
    await secret.getByRole('button', { name: 'I have stored it' }).click();
    await row.getByRole('button', { name: 'Keys' }).click();
    const key = row.locator('li', { hasText: keyId });
    await key.getByRole('button', { name: 'Revoke' }).click();
    await key.getByText(/revoked/).waitFor();
    const keys = (await httpSender(server.url, await server.token())('GET', `/management/v1/principals/${id}/access-keys`)).body['access-keys'] as Array<{
      'revoked-at-ms': number | null;
    }>;
    expect(keys.map((k) => k['revoked-at-ms'] !== null)).toEqual([true]);
  });
});

describe('sign-in with Keycloak', () => {
  it('runs Authorization Code + PKCE, shows only what the user may see, and sign-out revokes the session', async () => {
    const context = await chrome.browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      const authorizeRequests: URL[] = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.endsWith('/protocol/openid-connect/auth')) authorizeRequests.push(u);
      });
      await page.goto(`${server.url}/ui/`);
      await page.getByRole('link', { name: 'Sign in with Keycloak' }).click();
      await page.locator('#username').fill(KEYCLOAK_USERS.alice.username);
      await page.locator('#password').fill(KEYCLOAK_USERS.alice.password);
      await page.locator('#kc-login').click();
      await page.getByTestId('who').getByText('user:alice').waitFor();
      expect(authorizeRequests).toHaveLength(1);
      const params = authorizeRequests[0]!.searchParams;
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.get('client_id')).toBe(KEYCLOAK_CLIENTS.console.clientId);
      expect(params.get('redirect_uri')).toBe(`${server.url}/ui/auth/callback`);
      expect(params.get('state')).toBeTruthy();
      const cookies = await context.cookies(server.url);
      const session = cookies.find((c) => c.name === 'lakegate_session')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      // The pending sign-in cookie is gone; no token of Keycloak's is anywhere the page can read.
      expect(cookies.map((c) => c.name)).not.toContain('lakegate_oidc');
      expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual(['', 0, 0]);

      // alice is no administrator: the warehouse list is refused in words, her default warehouse is offered.
      await page.getByTestId('no-warehouse-list').waitFor();
      // Her IdP group gets read access to sales: she sees the table, under her own identity.
      const adminSend = httpSender(server.url, await server.token());
      await ensureRole(adminSend, 'analysts');
      await addMember(adminSend, 'analysts', { kind: 'group', issuer: kc.issuer, name: 'analysts' });
      await grantTo(adminSend, 'analysts', READ_ONLY, { type: 'namespace', warehouse: WH, namespace: ['sales'] });
      await page.getByLabel('Open a warehouse by name').fill(WH);
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByTestId('namespaces').getByRole('link', { name: 'sales' }).click();
      await page.getByTestId('tables').getByRole('link', { name: 'orders' }).click();
      await expect.poll(() => page.getByTestId('timeline-snapshot').count()).toBe(2);
      await shot(page, 'keycloak-user-table');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in as a service principal' }).waitFor();
      // The old cookie value authenticates nothing any more: the session was revoked server side.
      const reused = await fetch(`${server.url}/v1/config`, { headers: { cookie: `lakegate_session=${session.value}` } });
      expect(reused.status).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('follows a delegated user through act in the audit view: by the user, and by the engine that acted', async () => {
    // An engine acts for alice (RFC 8693 at Lakegate: her Keycloak token as subject, its own token as actor).
    const engine = await createPrincipal(server, 'query-engine', { groups: [{ issuer: kc.issuer, name: 'analysts' }] });
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const engineToken = await clientToken(server.url, engine.credential);
    // The engine authenticates the exchange as its client (RFC 8693 §2.1) with its own token.
    const exchanged = await fetch(`${server.url}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${engineToken}` },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: alice,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        actor_token: engineToken,
        actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      }),
    });
    expect(exchanged.status).toBe(200);
    const asAlice = httpSender(server.url, ((await exchanged.json()) as { access_token: string }).access_token);
    expect((await asAlice('GET', `/v1/${WH}/namespaces/sales/tables/orders`, undefined, { 'x-iceberg-access-delegation': 'vended-credentials' })).status).toBe(
      200,
    );
    const delegated = `user:alice via ${engine.id}`;

    await admin.getByRole('link', { name: 'Activity' }).click();
    await admin.getByLabel('Object').fill('sales.orders');
    await admin.getByRole('button', { name: 'Apply' }).click();
    const rows = admin.getByTestId('audit-event');
    const row = rows.filter({ hasText: delegated }).first();
    await expect
      .poll(
        async () => {
          await admin.getByRole('button', { name: 'Refresh' }).click();
          return row.count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    // Follow the user: her events, whoever carried them.
    await row.getByRole('button', { name: 'user:alice' }).click();
    await expect.poll(() => admin.getByLabel('Actor').inputValue()).toBe('user:alice');
    await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes('user:alice')) && (await rows.count()) > 0).toBe(true);
    // Follow the engine: what it did for others.
    await rows.filter({ hasText: delegated }).first().getByRole('button', { name: engine.id }).click();
    await expect.poll(() => admin.getByLabel('Actor').inputValue()).toBe(`via ${engine.id}`);
    await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes(`via ${engine.id}`)) && (await rows.count()) > 0).toBe(true);
    await shot(admin, 'activity-delegated');
  });
});
