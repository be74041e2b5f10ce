/**
 * The console's row-filter and column-mask policies (issue 54) and warehouse settings (issue 52) in a real browser
 * (Debian's Chromium driven by playwright-core) against a real `lakegate serve`. On a table's page the admin sees no
 * policy, is shown the server's refusal of a mask that does not suit its column (in the server's words, nothing
 * stored), builds a row filter `region = eu or id > 10` and a column mask and saves them, edits the filter
 * (version 2), previews what an analyst principal sees (which filter, which mask, through which role), sees the
 * engine declared an enforcer of the warehouse (withdraws it and declares it again), and deletes the mask; each step is read back through the management
 * API. The analyst (no grants:manage) sees the refusal of the policy listing and of the enforcers, no editor, and
 * its own effective policy. On the warehouse's settings page the admin sees the storage profile and whether a secret
 * is stored, has a bad property value refused in the server's words, sets and removes properties, and has an unknown
 * storage-profile field refused; the analyst is shown the refusal. Screenshots: tmp/console-screenshots/policies-*.png.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Securable, addMember, grant } from '../support/access.js';
import { type ConsoleRig, SCREENSHOTS, screenshot, signInWithSecret, startConsoleRig } from '../support/console-pages.js';
import { type CreatedPrincipal, createGrantedPrincipal, createPrincipal } from '../support/server-process.js';

let rig: ConsoleRig;
let analyst: CreatedPrincipal;
let engine: CreatedPrincipal;
const POLICIES = '/management/v1/warehouses/default/namespaces/pol/tables/orders/policies';
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'region', type: 'string', required: false },
    { id: 3, name: 'email', type: 'string', required: false },
  ],
};

beforeAll(async () => {
  rig = await startConsoleRig();
  expect((await rig.send('POST', '/v1/default/namespaces', { namespace: ['pol'] })).status).toBe(200);
  expect((await rig.send('POST', '/v1/default/namespaces/pol/tables', { name: 'orders', schema })).status).toBe(200);
  analyst = await createGrantedPrincipal(rig.server, 'console-policy-analyst', ['table:read-metadata', 'table:read-data'], {
    type: 'table',
    warehouse: 'default',
    namespace: ['pol'],
    name: 'orders',
  });
  engine = await createPrincipal(rig.server, 'console-policy-engine');
  const declared = await rig.send('PUT', `/management/v1/warehouses/default/policy-enforcers/${engine.id}`, {
    mechanism: 'trino-opa',
    'trino-catalog': 'lake',
  });
  expect(declared.status, JSON.stringify(declared.body)).toBe(200);
}, 15 * 60_000);

afterAll(async () => {
  await rig?.chrome.close();
  await rig?.server.stop();
});

async function signedIn(who: { id: string; secret: string } | 'admin'): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await rig.chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const [id, secret] = who === 'admin' ? (rig.server.credential.split(':') as [string, string]) : [who.id, who.secret];
  await signInWithSecret(page, rig.server.url, id, secret);
  return { page, close: () => context.close() };
}

const stored = async () =>
  ((await rig.send('GET', POLICIES)).body.policies as Array<{
    id: string;
    kind: string;
    roles: string[];
    filter?: unknown;
    masks?: unknown[];
    version: number;
  }>) ?? [];

async function saveEditor(page: Page, json: (current: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const area = page.locator('textarea[name=policy-json]');
  await area.fill(JSON.stringify(json(JSON.parse(await area.inputValue()) as Record<string, unknown>)));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

describe('console: policies on a table', () => {
  it('lets an admin build, write, edit, preview and delete policies, and shows the enforcing engines', async () => {
    const role = `${analyst.id}-role`;
    const { page, close } = await signedIn('admin');
    await page.goto(`${rig.server.url}/ui/catalog/default/table/pol/orders`);
    const section = page.locator('section[aria-labelledby=policies]');
    await section.getByText('No policy restricts this table').waitFor();

    // A mask that does not suit its column: the server's sentence, and nothing stored.
    await section.getByRole('button', { name: 'New policy' }).click();
    await saveEditor(page, () => ({ kind: 'column-mask', roles: [role], masks: [{ column: 'email', action: 'truncate-to-year' }] }));
    await expect
      .poll(async () => section.getByTestId('error').textContent(), { timeout: 20_000 })
      .toMatch(/masks\[0\]: truncate-to-year applies to date, .* columns, not to 'email' \(string\)/);
    expect(await stored()).toEqual([]);

    // The builder: region = eu or id > 10, into the JSON, roles set there, saved.
    await page.locator('textarea[name=policy-json]').fill(JSON.stringify({ kind: 'row-filter', roles: [role], filter: true }));
    const builder = page.getByRole('group', { name: 'Row filter builder' });
    await builder.locator('select[name=filter-column-0]').selectOption('region');
    await builder.locator('input[name=filter-value-0]').fill('eu');
    await builder.getByRole('button', { name: 'Add condition' }).click();
    await builder.locator('select[name=filter-column-1]').selectOption('id');
    await builder.locator('select[name=filter-op-1]').selectOption('gt');
    await builder.locator('input[name=filter-value-1]').fill('10');
    await builder.locator('select[name=filter-join]').selectOption('or');
    await builder.getByRole('button', { name: 'Use as the filter' }).click();
    await saveEditor(page, (body) => body);
    await expect.poll(async () => section.getByTestId('policy-notice').textContent(), { timeout: 20_000 }).toMatch(/Saved: row-filter policy \S+, version 1/);
    const [filterPolicy] = await stored();
    expect(filterPolicy).toMatchObject({
      kind: 'row-filter',
      roles: [role],
      version: 1,
      filter: { type: 'or', left: { type: 'eq', term: 'region', value: 'eu' }, right: { type: 'gt', term: 'id', value: 10 } },
    });
    const filterRow = section.locator(`[data-testid=policy][data-id="${filterPolicy!.id}"]`);
    expect(await filterRow.getByTestId('policy-restriction').textContent()).toContain("rows where region = 'eu' or id > 10");

    // A column mask built: kind column-mask, email shown by its last 4 characters; the roles set in the JSON.
    await section.getByRole('button', { name: 'New policy' }).click();
    await page.locator('select[name=policy-kind]').selectOption('column-mask');
    const maskBuilder = page.getByRole('group', { name: 'Column mask builder' });
    await maskBuilder.locator('select[name=mask-column]').selectOption('email');
    await maskBuilder.locator('select[name=mask-action]').selectOption('show-last-4');
    await maskBuilder.getByRole('button', { name: 'Add to the masks' }).click();
    await saveEditor(page, (body) => ({ ...body, roles: [role] }));
    await expect.poll(async () => section.getByTestId('policy').count(), { timeout: 20_000 }).toBe(2);
    const maskPolicy = (await stored()).find((p) => p.kind === 'column-mask')!;
    expect(maskPolicy.masks).toEqual([{ 'field-id': 3, column: 'email', action: 'show-last-4' }]);

    // Edited: the filter becomes region = us, version 2.
    await filterRow.getByRole('button', { name: 'Edit' }).click();
    await saveEditor(page, (body) => ({ ...body, filter: { type: 'eq', term: 'region', value: 'us' } }));
    await expect.poll(async () => section.getByTestId('policy-notice').textContent(), { timeout: 20_000 }).toContain('version 2');
    expect((await stored()).find((p) => p.id === filterPolicy!.id)).toMatchObject({ version: 2, filter: { type: 'eq', term: 'region', value: 'us' } });
    await expect.poll(async () => filterRow.getByTestId('policy-restriction').textContent(), { timeout: 20_000 }).toContain("rows where region = 'us'");

    // What the analyst would see: both policies, through its role.
    const preview = page.getByRole('form', { name: "Preview a principal's policy" });
    await preview.locator('input[name=subject-name]').fill(analyst.id);
    await preview.getByRole('button', { name: 'Preview' }).click();
    await preview.getByTestId('policy-preview').waitFor();
    expect(await preview.getByTestId('policy-preview').textContent()).toContain('May read');
    const rows = await preview
      .getByTestId('preview-policy')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toEqual([
      [`row-filter ${filterPolicy!.id} v2`, role, "rows where region = 'us'"],
      [`column-mask ${maskPolicy.id} v1`, role, 'email: show-last-4'],
    ]);
    // The admin itself is not restricted; the engine declared for the warehouse is listed.
    expect(await section.getByTestId('my-effective-policy').textContent()).not.toMatch(/region/);
    const enforcer = section.getByTestId('enforcer');
    await enforcer.waitFor();
    expect(await enforcer.locator('td').evaluateAll((tds) => tds.slice(0, 3).map((td) => td.textContent))).toEqual([engine.id, 'trino-opa', 'lake']);
    // Withdrawn, then declared again for read-restrictions, from the page.
    const ENFORCERS = '/management/v1/warehouses/default/policy-enforcers';
    await enforcer.getByRole('button', { name: 'Withdraw' }).click();
    await section.getByText('No engine is declared an enforcer in default').waitFor();
    expect((await rig.send('GET', ENFORCERS)).body.enforcers).toEqual([]);
    const declare = section.getByRole('form', { name: 'Declare an enforcer' });
    await declare.locator('input[name=enforcer-client-id]').fill(engine.id);
    await declare.locator('select[name=enforcer-mechanism]').selectOption('read-restrictions');
    await declare.getByRole('button', { name: 'Declare' }).click();
    await expect.poll(async () => section.getByTestId('enforcer').locator('td').nth(1).textContent(), { timeout: 20_000 }).toBe('read-restrictions');
    expect((await rig.send('GET', ENFORCERS)).body.enforcers).toMatchObject([{ 'client-id': engine.id, mechanism: 'read-restrictions' }]);
    await screenshot(page, 'policies-table');
    await section.screenshot({ path: path.join(SCREENSHOTS, 'policies-section.png') });

    // Deleted (after a confirmation): the mask is gone on the server too.
    const maskRow = section.locator(`[data-testid=policy][data-id="${maskPolicy.id}"]`);
    await maskRow.getByRole('button', { name: 'Delete' }).click();
    await maskRow.getByRole('button', { name: 'Confirm delete' }).click();
    await expect.poll(async () => section.getByTestId('policy').count(), { timeout: 20_000 }).toBe(1);
    expect((await stored()).map((p) => p.id)).toEqual([filterPolicy!.id]);
    await close();
  });

  it('shows a principal without grants:manage the refusals, no editor, and its own effective policy', async () => {
    const { page, close } = await signedIn(analyst);
    await page.goto(`${rig.server.url}/ui/catalog/default/table/pol/orders`);
    const section = page.locator('section[aria-labelledby=policies]');
    const mine = section.getByTestId('my-effective-policy');
    await mine.waitFor();
    expect(await mine.textContent()).toContain("region = 'us'");
    await expect.poll(async () => section.getByTestId('error').count(), { timeout: 20_000 }).toBe(2);
    const refusals = await section.getByTestId('error').allTextContents();
    expect(refusals[0]).toMatch(/Not allowed: .*grants:manage/);
    expect(refusals[1]).toMatch(/Not allowed: /);
    expect(await section.getByRole('button', { name: 'New policy' }).count()).toBe(0);
    await screenshot(page, 'policies-read-only');
    await close();
  });
  it('refuses an edit of a policy changed since the editor opened it, and keeps the newer one', async () => {
    const [policy] = await stored();
    const { page, close } = await signedIn('admin');
    await page.goto(`${rig.server.url}/ui/catalog/default/table/pol/orders`);
    const section = page.locator('section[aria-labelledby=policies]');
    await section.locator(`[data-testid=policy][data-id="${policy!.id}"]`).getByRole('button', { name: 'Edit' }).click();
    await page.locator('textarea[name=policy-json]').waitFor();
    // Someone else changes it meanwhile (through the API).
    const newer = { type: 'eq', term: 'region', value: 'apac' };
    const changed = await rig.send('PUT', `${POLICIES}/${policy!.id}`, { roles: policy!.roles, filter: newer });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await saveEditor(page, (body) => ({ ...body, filter: { type: 'eq', term: 'region', value: 'emea' } }));
    await expect
      .poll(async () => section.getByTestId('error').textContent(), { timeout: 20_000 })
      .toContain(`Policy ${policy!.id} changed since: it is at version ${policy!.version + 1}; read it again`);
    expect((await stored()).find((p) => p.id === policy!.id)).toMatchObject({ version: policy!.version + 1, filter: newer });
    await close();
  });
  it('previews an IdP user through the roles its groups hold: restricted with its group, not allowed without', async () => {
    const securable: Securable = { type: 'table', warehouse: 'default', namespace: ['pol'], name: 'orders' };
    await addMember(rig.send, 'eu-readers', { kind: 'group', issuer: 'asserted', name: 'eu' });
    await grant(rig.send, 'eu-readers', ['table:read-data'], securable);
    const created = await rig.send('POST', POLICIES, { kind: 'row-filter', roles: ['eu-readers'], filter: { type: 'eq', term: 'region', value: 'eu' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { page, close } = await signedIn('admin');
    await page.goto(`${rig.server.url}/ui/catalog/default/table/pol/orders`);
    const preview = page.getByRole('form', { name: "Preview a principal's policy" });
    await preview.locator('select[name=subject-kind]').selectOption('user');
    await preview.locator('input[name=subject-name]').fill('alice');
    await preview.locator('input[name=subject-issuer]').fill('asserted');
    await preview.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(async () => preview.getByTestId('policy-preview').textContent(), { timeout: 20_000 }).toContain('May not read');
    await preview.locator('input[name=subject-groups]').fill('eu, ');
    await preview.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(async () => preview.getByTestId('policy-preview').textContent(), { timeout: 20_000 }).toContain('May read');
    const rows = await preview
      .getByTestId('preview-policy')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toEqual([[`row-filter ${created.body.id} v1`, 'eu-readers', "rows where region = 'eu'"]]);
    await close();
  });

  it("warns of a policy that can no longer be applied to the current schema, in the server's words, and not of an enforced one", async () => {
    expect((await rig.send('POST', '/v1/default/namespaces/pol/tables', { name: 'people', schema })).status).toBe(200);
    await addMember(rig.send, 'people-readers', { kind: 'group', issuer: 'asserted', name: 'people' });
    const people = '/management/v1/warehouses/default/namespaces/pol/tables/people/policies';
    const fine = await rig.send('POST', people, { kind: 'row-filter', roles: ['people-readers'], filter: { type: 'eq', term: 'region', value: 'eu' } });
    const mask = await rig.send('POST', people, { kind: 'column-mask', roles: ['people-readers'], masks: [{ column: 'email', action: 'mask-alphanum' }] });
    expect([fine.status, mask.status]).toEqual([201, 201]);
    // As a policy whose column was dropped where the commit check did not run (a federated table changed at its
    // remote): its stored mask names a field id (9) the schema no longer has. Written to the server's SQLite file.
    const db = new Database(path.join(rig.server.dataDir, 'catalog.sqlite'));
    try {
      const row = db.prepare('SELECT body FROM table_policies WHERE id = ?').get(mask.body.id) as { body: string };
      const body = JSON.parse(row.body) as { masks: Array<{ fieldId: number }> };
      body.masks[0]!.fieldId = 9;
      db.prepare('UPDATE table_policies SET body = ? WHERE id = ?').run(JSON.stringify(body), mask.body.id);
    } finally {
      db.close();
    }
    const { page, close } = await signedIn('admin');
    await page.goto(`${rig.server.url}/ui/catalog/default/table/pol/people`);
    const section = page.locator('section[aria-labelledby=policies]');
    const maskRow = section.locator(`[data-testid=policy][data-id="${mask.body.id}"]`);
    await maskRow.getByTestId('policy-unusable').waitFor();
    expect(await maskRow.getAttribute('data-status')).toBe('unusable');
    expect(await maskRow.getByRole('alert').textContent()).toContain(
      "Cannot be applied to the table's current schema: its masked column 'email' (field id 9) is no longer in the schema.",
    );
    const fineRow = section.locator(`[data-testid=policy][data-id="${fine.body.id}"]`);
    expect(await fineRow.getAttribute('data-status')).toBe('enforced');
    expect(await fineRow.getByTestId('policy-unusable').count()).toBe(0);
    await screenshot(page, 'policies-unusable');
    await close();
  });
});

describe('console: warehouse settings', () => {
  const warehouse = async () =>
    (
      (await rig.send('GET', '/management/v1/warehouses')).body.warehouses as Array<{
        name: string;
        properties: Record<string, string>;
        'storage-profile': Record<string, unknown>;
        'has-storage-secret': boolean;
      }>
    ).find((w) => w.name === 'default')!;

  it('shows the storage profile and edits the properties and the profile, with the server refusals in its words', async () => {
    const before = await warehouse();
    const { page, close } = await signedIn('admin');
    await page.goto(`${rig.server.url}/ui/catalog/default`);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByTestId('storage-secret').waitFor();
    expect(await page.getByTestId('storage-secret').textContent()).toMatch(/^(none stored|stored \(encrypted; never shown\))$/);
    expect(await page.locator('section[aria-labelledby=storage]').textContent()).toContain(String(before['storage-profile']['type']));

    // A value the server refuses: its sentence, nothing changed.
    const form = page.getByRole('form', { name: 'Warehouse properties' });
    await form.getByRole('button', { name: 'Add property' }).click();
    const last = form.getByTestId('warehouse-property').last();
    await last.getByLabel('Property').fill('drop.retention-ms');
    await last.getByLabel('Value').fill('soon');
    await form.getByRole('button', { name: 'Save properties' }).click();
    await form.getByTestId('error').waitFor();
    expect(await form.getByTestId('error').textContent()).toContain('drop.retention-ms');
    expect((await warehouse()).properties).toEqual(before.properties);

    await last.getByLabel('Value').fill('86400000');
    await form.getByRole('button', { name: 'Add property' }).click();
    await form.getByTestId('warehouse-property').last().getByLabel('Property').fill('maintenance.interval-ms');
    await form.getByTestId('warehouse-property').last().getByLabel('Value').fill('3600000');
    await form.getByRole('button', { name: 'Save properties' }).click();
    await expect.poll(async () => form.getByTestId('properties-notice').textContent(), { timeout: 20_000 }).toBe('Saved: 2 set, 0 removed.');
    expect((await warehouse()).properties).toMatchObject({ 'drop.retention-ms': '86400000', 'maintenance.interval-ms': '3600000' });

    // Removed: back to the server default.
    const interval = form.getByTestId('warehouse-property').filter({ has: page.locator('input[value="maintenance.interval-ms"]') });
    await interval.getByRole('button', { name: 'Remove' }).click();
    await form.getByRole('button', { name: 'Save properties' }).click();
    await expect.poll(async () => form.getByTestId('properties-notice').textContent(), { timeout: 20_000 }).toBe('Saved: 0 set, 1 removed.');
    const after = await warehouse();
    expect(after.properties['maintenance.interval-ms']).toBeUndefined();
    expect(after.properties['drop.retention-ms']).toBe('86400000');

    // An unknown field of the storage profile is refused, named; the stored profile is unchanged.
    await page.getByRole('button', { name: 'Change the storage profile' }).click();
    const storage = page.getByRole('form', { name: 'Storage profile' });
    await storage.locator('textarea[name=storage-profile]').fill(JSON.stringify({ ...before['storage-profile'], 'bogus-field': 1 }));
    await storage.getByRole('button', { name: 'Save storage profile' }).click();
    await storage.getByTestId('error').waitFor();
    expect(await storage.getByTestId('error').textContent()).toContain('bogus-field');
    expect((await warehouse())['storage-profile']).toEqual(before['storage-profile']);
    // The stored profile saved back whole is accepted; the secret (none here) is kept as it was.
    await storage.locator('textarea[name=storage-profile]').fill(JSON.stringify(before['storage-profile']));
    await storage.getByRole('button', { name: 'Save storage profile' }).click();
    await storage.getByTestId('storage-notice').waitFor();
    expect(await storage.getByTestId('error').count()).toBe(0);
    expect(await warehouse()).toMatchObject({ 'storage-profile': before['storage-profile'], 'has-storage-secret': before['has-storage-secret'] });
    await screenshot(page, 'policies-warehouse-settings');
    await close();
  });

  it('shows a principal that is not a tenant administrator the refusal', async () => {
    const { page, close } = await signedIn(analyst);
    await page.goto(`${rig.server.url}/ui/catalog/default/settings`);
    await expect.poll(async () => page.getByTestId('error').textContent(), { timeout: 20_000 }).toMatch(/Not allowed: /);
    expect(await page.getByRole('form', { name: 'Warehouse properties' }).count()).toBe(0);
    await close();
  });
});

describe('console: policies on a view', () => {
  it("lets an admin write a mask on a view's column from the view's page, read back as the view's policy", async () => {
    const views = '/v1/default/namespaces/pol/views';
    const created = await rig.send('POST', views, {
      name: 'orders_v',
      schema,
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1,
        'schema-id': 0,
        summary: {},
        'default-namespace': ['pol'],
        representations: [{ type: 'sql', sql: 'SELECT id, region, email FROM orders', dialect: 'trino' }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const viewPolicies = '/management/v1/warehouses/default/namespaces/pol/views/orders_v/policies';
    const { page, close } = await signedIn('admin');
    await page.goto(`${rig.server.url}/ui/catalog/default/view/pol/orders_v`);
    const section = page.locator('section[aria-labelledby=vpolicies]');
    await section.getByText('No policy restricts this view').waitFor();
    await section.getByRole('button', { name: 'New policy' }).click();
    await page.locator('select[name=policy-kind]').selectOption('column-mask');
    const maskBuilder = page.getByRole('group', { name: 'Column mask builder' });
    await maskBuilder.locator('select[name=mask-column]').selectOption('email');
    await maskBuilder.locator('select[name=mask-action]').selectOption('replace-with-null');
    await maskBuilder.getByRole('button', { name: 'Add to the masks' }).click();
    await saveEditor(page, (body) => ({ ...body, roles: [`${analyst.id}-role`] }));
    await expect.poll(async () => section.getByTestId('policy').count(), { timeout: 20_000 }).toBe(1);
    const onView = (await rig.send('GET', viewPolicies)).body.policies as Array<{ id: string; 'object-type': string; masks: unknown[] }>;
    expect(onView).toMatchObject([{ 'object-type': 'view', masks: [{ 'field-id': 3, column: 'email', action: 'replace-with-null' }] }]);
    // The table of the same namespace keeps only its own policies.
    expect(((await rig.send('GET', POLICIES)).body.policies as Array<{ id: string }>).map((p) => p.id)).not.toContain(onView[0]!.id);
    await screenshot(page, 'policies-view');
    await close();
  });
});
