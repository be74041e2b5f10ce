/**
 * `lakegate policy` as users run it (the built bin, through the SDK's management client, against a real server
 * process): a row filter and column masks created, listed, updated and removed; your effective policy; bad input
 * refused by the server (exit 1) or by the command (exit 2).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliRun, type CliSession, jsonOf, startCliSession } from '../support/cli.js';

const SLOW = 120_000;
let cli: CliSession;
const lakegate = (...args: string[]): Promise<CliRun> => cli.run(args);
const json = jsonOf;

beforeAll(async () => {
  cli = await startCliSession('lakegate-cli-policy-');
  expect((await lakegate('ns', 'create', 'sales')).code).toBe(0);
  expect((await lakegate('table', 'create', 'sales.orders', '--column', 'id:long', '--column', 'region:string', '--column', 'born:date')).code).toBe(0);
  expect((await lakegate('admin', 'role', 'create', 'analysts')).code).toBe(0);
}, SLOW);
afterAll(async () => cli?.close());

it(
  'creates, lists, updates and removes policies, shows the effective one, and refuses bad input',
  async () => {
    const filter = json(
      await lakegate('policy', 'create', 'sales.orders', '--role', 'analysts', '--filter', '{"type":"eq","term":"region","value":"eu"}', '--json'),
    );
    expect(filter).toMatchObject({ kind: 'row-filter', version: 1, 'field-ids': [2] });
    const masks = json(
      await lakegate(
        'policy',
        'create',
        'sales.orders',
        '--role',
        'analysts',
        '--mask',
        'born=truncate-to-year',
        '--mask',
        'region=mask-to-fixed-value=xx',
        '--json',
      ),
    );
    expect(masks.masks.map((m: { action: string }) => m.action)).toEqual(['truncate-to-year', 'mask-to-fixed-value']);
    const listed = await lakegate('policy', 'ls', 'sales.orders');
    expect(listed.stdout).toContain(filter.id);
    expect(listed.stdout).toContain('born=truncate-to-year');
    const updated = json(await lakegate('policy', 'update', 'sales.orders', filter.id, '--role', 'analysts', '--filter', 'true', '--version', '1', '--json'));
    expect(updated.version).toBe(2);
    expect((await lakegate('policy', 'update', 'sales.orders', filter.id, '--role', 'analysts', '--filter', 'true', '--version', '1')).code).toBe(1);
    expect((await lakegate('policy', 'effective', 'sales.orders')).stdout).toContain('no row-filter or column-mask policy applies to you');
    const bad = await lakegate('policy', 'create', 'sales.orders', '--role', 'analysts', '--mask', 'region=truncate-to-month');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('truncate-to-month applies to');
    expect((await lakegate('policy', 'create', 'sales.orders', '--role', 'analysts')).code).toBe(2);
    expect((await lakegate('policy', 'rm', 'sales.orders', filter.id)).code).toBe(0);
    expect((await lakegate('policy', 'rm', 'sales.orders', masks.id)).code).toBe(0);
    expect((await lakegate('policy', 'ls', 'sales.orders')).stdout).toContain('no policies');
  },
  SLOW,
);

it(
  'ls and show say whether each policy is enforced, and warn of one that cannot be applied to the current schema',
  async () => {
    expect((await lakegate('table', 'create', 'sales.people', '--column', 'id:long', '--column', 'email:string')).code).toBe(0);
    const fine = json(await lakegate('policy', 'create', 'sales.people', '--role', 'analysts', '--filter', '{"type":"eq","term":"id","value":1}', '--json'));
    const mask = json(await lakegate('policy', 'create', 'sales.people', '--role', 'analysts', '--mask', 'email=mask-alphanum', '--json'));
    expect(json(await lakegate('policy', 'show', 'sales.people', mask.id, '--json'))).toMatchObject({ status: 'enforced' });
    // As a policy whose column was dropped where the commit check did not run (a federated table changed at its
    // remote): its stored mask names a field id (9) the schema no longer has. Written to the server's SQLite file.
    const db = new Database(path.join(cli.server.dataDir, 'catalog.sqlite'));
    try {
      const row = db.prepare('SELECT body FROM table_policies WHERE id = ?').get(mask.id) as { body: string };
      const body = JSON.parse(row.body);
      body.masks[0].fieldId = 9;
      db.prepare('UPDATE table_policies SET body = ? WHERE id = ?').run(JSON.stringify(body), mask.id);
    } finally {
      db.close();
    }
    const why = "its masked column 'email' (field id 9) is no longer in the schema";
    const shown = await lakegate('policy', 'show', 'sales.people', mask.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`warning: policy ${mask.id} cannot be applied to the current schema (${why})`);
    const listed = await lakegate('policy', 'ls', 'sales.people');
    expect(listed.stdout).toMatch(new RegExp(`${fine.id}.*enforced`));
    expect(listed.stdout).toMatch(new RegExp(`${mask.id}.*unusable`));
    expect(listed.stdout).toContain(`warning: policy ${mask.id} cannot be applied`);
    const all = json(await lakegate('policy', 'ls', 'sales.people', '--json')).policies;
    expect(all.find((p: { id: string }) => p.id === mask.id)).toMatchObject({ status: 'unusable', reason: why });
    expect((await lakegate('policy', 'rm', 'sales.people', fine.id)).code).toBe(0);
    expect((await lakegate('policy', 'rm', 'sales.people', mask.id)).code).toBe(0);
  },
  SLOW,
);

it(
  'declares, lists and withdraws a policy enforcer of the warehouse',
  async () => {
    const engine = json(
      await lakegate('admin', 'principal', 'create', 'trino-engine', '--credential-file', path.join(cli.configDir, 'trino-engine.json'), '--json'),
    );
    const id = engine['client-id'] as string;
    const set = json(await lakegate('policy', 'enforce', id, '--mechanism', 'trino-opa', '--trino-catalog', 'lake', '--json'));
    expect(set).toMatchObject({ 'client-id': id, mechanism: 'trino-opa', 'trino-catalog': 'lake' });
    expect((await lakegate('policy', 'enforcers')).stdout).toContain(id);
    expect((await lakegate('policy', 'enforce', id)).code).toBe(2);
    expect((await lakegate('policy', 'unenforce', id)).code).toBe(0);
    expect((await lakegate('policy', 'enforcers')).stdout).toContain('no policy enforcers');
    expect((await lakegate('policy', 'unenforce', id)).code).toBe(1);
  },
  SLOW,
);

it(
  "manages a view's policies with --view, over the view's columns",
  async () => {
    const view = {
      name: 'orders_eu',
      schema: {
        type: 'struct',
        'schema-id': 0,
        fields: [
          { id: 1, name: 'id', type: 'long', required: true },
          { id: 2, name: 'region', type: 'string', required: false },
        ],
      },
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1,
        'schema-id': 0,
        summary: {},
        'default-namespace': ['sales'],
        representations: [{ type: 'sql', sql: 'SELECT id, region FROM orders', dialect: 'trino' }],
      },
    };
    const created = await fetch(`${cli.server.url}/v1/default/namespaces/sales/views`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await cli.server.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify(view),
    });
    expect(created.status).toBe(200);
    const p = json(await lakegate('policy', 'create', 'sales.orders_eu', '--view', '--role', 'analysts', '--mask', 'region=replace-with-null', '--json'));
    expect(p).toMatchObject({ kind: 'column-mask', 'object-type': 'view', table: { name: 'orders_eu' }, masks: [{ 'field-id': 2 }] });
    expect((await lakegate('policy', 'ls', 'sales.orders_eu', '--view')).stdout).toContain(p.id);
    // Without --view the name is a table's: there is none.
    expect((await lakegate('policy', 'ls', 'sales.orders_eu')).code).toBe(1);
    expect((await lakegate('policy', 'create', 'sales.orders_eu', '--view', '--role', 'analysts', '--mask', 'id=show-first-4')).code).toBe(1);
    expect((await lakegate('policy', 'effective', 'sales.orders_eu', '--view')).stdout).toContain('no row-filter or column-mask policy applies to you');
    expect((await lakegate('policy', 'rm', 'sales.orders_eu', p.id, '--view')).code).toBe(0);
    expect((await lakegate('policy', 'ls', 'sales.orders_eu', '--view')).stdout).toContain('no policies');
  },
  SLOW,
);
