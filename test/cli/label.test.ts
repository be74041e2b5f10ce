/**
 * `lakegate label` as users run it (the built bin, through the SDK's management client, against a real server
 * process): a table's labels set (object and column labels), shown, replaced and removed; a view's; bad input
 * refused by the server (exit 1) or by the command (exit 2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliRun, type CliSession, jsonOf, startCliSession } from '../support/cli.js';
import type { ServerProcess } from '../support/server-process.js';

const SLOW = 120_000;
let cli: CliSession;
let server: ServerProcess;
const lakegate = (...args: string[]): Promise<CliRun> => cli.run(args);
const json = jsonOf;

beforeAll(async () => {
  cli = await startCliSession('lakegate-cli-label-');
  server = cli.server;
  expect((await lakegate('ns', 'create', 'sales')).code).toBe(0);
  expect((await lakegate('table', 'create', 'sales.orders', '--column', 'id:long', '--column', 'email:string')).code).toBe(0);
}, SLOW);
afterAll(async () => cli?.close());

it(
  "sets, shows, replaces and removes a table's labels, and refuses bad input",
  async () => {
    expect((await lakegate('label', 'show', 'sales.orders')).stdout).toContain('no labels');
    const set = json(await lakegate('label', 'set', 'sales.orders', 'owner=team-sales', 'tier=gold=1', '--field', '2:pii=email', '--json'));
    expect(set).toEqual({ 'object-labels': { owner: 'team-sales', tier: 'gold=1' }, fields: [{ 'field-id': 2, labels: { pii: 'email' } }] });
    const shown = await lakegate('label', 'show', 'sales.orders');
    expect(shown.stdout).toMatch(/owner\s+team-sales/);
    expect(shown.stdout).toMatch(/2\s+pii\s+email/);
    // The table's load answer carries them (what an Iceberg 1.12 client reads).
    const admin = JSON.parse(readFileSync(path.join(server.dataDir, 'admin-credentials.json'), 'utf8')) as { client_id: string; client_secret: string };
    const issued = await fetch(`${server.url}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...admin }).toString(),
    });
    const { access_token } = (await issued.json()) as { access_token: string };
    const loaded = await fetch(`${server.url}/v1/default/namespaces/sales/tables/orders`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(((await loaded.json()) as { labels?: unknown }).labels).toEqual(set);
    expect(json(await lakegate('label', 'set', 'sales.orders', 'owner=team-finance', '--json'))).toEqual({ 'object-labels': { owner: 'team-finance' } });
    const tooLong = await lakegate('label', 'set', 'sales.orders', `k=${'v'.repeat(4097)}`);
    expect(tooLong.code).toBe(1);
    expect((await lakegate('label', 'set', 'sales.orders', 'novalue')).code).toBe(2);
    expect((await lakegate('label', 'set', 'sales.orders', '--field', 'x:a=b')).code).toBe(2);
    expect((await lakegate('label', 'show', 'sales.orders', '--view')).code).toBe(1);
    expect((await lakegate('label', 'rm', 'sales.orders')).code).toBe(0);
    expect((await lakegate('label', 'show', 'sales.orders')).stdout).toContain('no labels');
  },
  SLOW,
);
