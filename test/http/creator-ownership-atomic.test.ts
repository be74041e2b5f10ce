/**
 * The creator's owner grant commits with the create (issue 52; catalog/access/creator-ownership.ts). A real failure
 * is injected at the owner-grant write: a SQLite trigger, added to the catalog's own database file, that aborts
 * every insert of a grant to an `owner-…` role. Every create (namespace, table, create transaction, register, view,
 * view register, Lance namespace, Lance table) then fails with a server error and leaves nothing: no object without its owner, and no
 * owner role, membership or grant either. With the trigger gone, the same principal (granted only namespace:create
 * on the warehouse) uses each object it creates at once, with no second grant.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createTransactionCommit, simpleSchema, sqlViewVersion, type Send } from '../support/iceberg-http.js';
import { tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let maker: Send;

const N = '/v1/default/namespaces';
const L = '/lance/default/v1';
const viewVersion = (ns: string) => sqlViewVersion([ns], 'select 1');

/** Runs `fn` while every insert of an owner grant fails in the database (a failure between the create and its grant). */
async function withOwnerGrantsFailing(fn: () => Promise<void>): Promise<void> {
  const db = new Database(path.join(cat.dataDir, 'catalog.sqlite'));
  try {
    db.exec(
      `CREATE TRIGGER fail_owner_grants BEFORE INSERT ON grants WHEN NEW.role LIKE 'owner-%' BEGIN SELECT RAISE(ABORT, 'injected owner-grant failure'); END`,
    );
    await fn();
  } finally {
    db.exec('DROP TRIGGER IF EXISTS fail_owner_grants');
    db.close();
  }
}

async function ownerRoles(): Promise<Array<{ name: string }>> {
  const roles = (await admin('GET', '/management/v1/roles')).body.roles as Array<{ name: string }>;
  return roles.filter((r) => r.name.startsWith('owner-'));
}

async function ownerGrantCount(): Promise<number> {
  let count = 0;
  for (const role of await ownerRoles()) count += ((await admin('GET', `/management/v1/roles/${role.name}`)).body.grants as unknown[]).length;
  return count;
}

/** A failed create: a server error (never a success), and the object is not there for anyone. */
async function expectFailed(res: { status: number; body: unknown }, lookup: () => Promise<{ status: number; body: any }>) {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(500);
  const seen = await lookup();
  expect(seen.status, JSON.stringify(seen.body)).toBe(404);
}

/** A view's metadata file, once the maker created the view in `mine` and dropped it (the file stays). */
async function droppedViewFile(name: string): Promise<string> {
  expect((await maker('POST', `${N}/mine/views`, { name, schema: simpleSchema, 'view-version': viewVersion('mine') })).status).toBe(200);
  const file = (await maker('GET', `${N}/mine/views/${name}`)).body['metadata-location'] as string;
  expect((await maker('DELETE', `${N}/mine/views/${name}`)).status).toBe(204);
  return file;
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const a = cat.admin();
  admin = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, a.client_id, a.client_secret));
  const created = await admin('POST', '/management/v1/principals', { name: 'atomic-maker' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  maker = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, created.body['client-id'], created.body['client-secret']));
  expect((await admin('POST', '/management/v1/roles', { name: 'atomic-makers' })).status).toBe(201);
  expect((await admin('POST', '/management/v1/roles/atomic-makers/members', { kind: 'principal', name: created.body['client-id'] })).status).toBeLessThan(300);
  expect(
    (
      await admin('POST', '/management/v1/grants', {
        role: 'atomic-makers',
        securable: { type: 'warehouse', warehouse: 'default' },
        privileges: ['namespace:create'],
      })
    ).status,
  ).toBe(201);
});
afterAll(async () => cat?.close());

describe('a namespace whose owner grant fails is rolled back', () => {
  it('leaves no namespace, and no owner role or membership, when the first create fails at its grant', async () => {
    await withOwnerGrantsFailing(async () => {
      await expectFailed(await maker('POST', N, { namespace: ['failed_ns'] }), () => admin('GET', `${N}/failed_ns`));
      await expectFailed(await maker('POST', `${L}/namespace/lfailed/create`, { id: ['lfailed'] }), () =>
        admin('POST', `${L}/namespace/lfailed/describe`, { id: ['lfailed'] }),
      );
    });
    // The role and its membership were written in the same transaction, before the grant: rolled back with it.
    expect(await ownerRoles()).toEqual([]);
  });
});

describe('a table, create-transaction table, registered table, view or Lance table whose owner grant fails is rolled back', () => {
  let metadataLocation: string;
  let staged: any;
  let viewFile: string;
  let grantsBefore: number;
  beforeAll(async () => {
    // What the failures happen in: a namespace the maker made (so it owns it), with a table to unregister.
    expect((await maker('POST', N, { namespace: ['mine'] })).status).toBe(200);
    expect((await maker('POST', `${N}/mine/tables`, { name: 'src', schema: simpleSchema })).status).toBe(200);
    const unregistered = await maker('POST', `${N}/mine/tables/src/unregister`);
    expect(unregistered.status, JSON.stringify(unregistered.body)).toBe(200);
    metadataLocation = unregistered.body['metadata-location'];
    const stage = await maker('POST', `${N}/mine/tables`, { name: 'ctas', schema: simpleSchema, 'stage-create': true });
    expect(stage.status, JSON.stringify(stage.body)).toBe(200);
    staged = stage.body.metadata;
    viewFile = await droppedViewFile('vsrc');
    grantsBefore = await ownerGrantCount();
  });

  /** The failed create left no owner grant and no audit record of one. */
  async function expectNoOwnerOf(object: string) {
    expect(await ownerGrantCount()).toBe(grantsBefore);
    const audit = (await admin('GET', '/management/v1/audit?limit=500')).body.events as Array<{ type: string; object?: string }>;
    expect(audit.filter((e) => e.type === 'access.owner-granted').map((e) => e.object)).not.toContain(object);
  }

  it('create table', async () => {
    await withOwnerGrantsFailing(async () =>
      expectFailed(await maker('POST', `${N}/mine/tables`, { name: 't', schema: simpleSchema }), () => admin('GET', `${N}/mine/tables/t`)),
    );
    await expectNoOwnerOf('default/mine.t');
  });

  it('create transaction (stage-create, then its commit)', async () => {
    await withOwnerGrantsFailing(async () =>
      expectFailed(await maker('POST', `${N}/mine/tables/ctas`, createTransactionCommit(staged)), () => admin('GET', `${N}/mine/tables/ctas`)),
    );
    await expectNoOwnerOf('default/mine.ctas');
  });

  it('register table', async () => {
    await withOwnerGrantsFailing(async () =>
      expectFailed(await maker('POST', `${N}/mine/register`, { name: 'reg', 'metadata-location': metadataLocation }), () =>
        admin('GET', `${N}/mine/tables/reg`),
      ),
    );
    await expectNoOwnerOf('default/mine.reg');
  });

  it('create view', async () => {
    await withOwnerGrantsFailing(async () =>
      expectFailed(await maker('POST', `${N}/mine/views`, { name: 'v', schema: simpleSchema, 'view-version': viewVersion('mine') }), () =>
        admin('GET', `${N}/mine/views/v`),
      ),
    );
    await expectNoOwnerOf('default/mine.v');
  });

  it('register view', async () => {
    await withOwnerGrantsFailing(async () =>
      expectFailed(await maker('POST', `${N}/mine/register-view`, { name: 'vreg', 'metadata-location': viewFile }), () => admin('GET', `${N}/mine/views/vreg`)),
    );
    await expectNoOwnerOf('default/mine.vreg');
  });

  it('declare a Lance table', async () => {
    await withOwnerGrantsFailing(async () =>
      expectFailed(await maker('POST', `${L}/table/mine%24lt/declare`, { id: ['mine', 'lt'] }), () =>
        admin('POST', `${L}/table/mine%24lt/describe`, { id: ['mine', 'lt'] }),
      ),
    );
    await expectNoOwnerOf('default/mine.lt');
  });
});

describe('the creator uses what it created at once', () => {
  it('a namespace: updates it and creates a table in it', async () => {
    expect((await maker('POST', N, { namespace: ['used'] })).status).toBe(200);
    expect((await maker('POST', `${N}/used/properties`, { updates: { a: 'b' } })).status).toBe(200);
    expect((await maker('POST', `${N}/used/tables`, { name: 'x', schema: simpleSchema })).status).toBe(200);
  });

  it('a table: reads and commits to it', async () => {
    const t = await maker('POST', `${N}/mine/tables`, { name: 't', schema: simpleSchema });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect((await maker('GET', `${N}/mine/tables/t`)).status).toBe(200);
    expect((await maker('POST', `${N}/mine/tables/t`, { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] })).status).toBe(200);
  });

  it('a table made by a create transaction: reads and commits to it', async () => {
    const staged = await maker('POST', `${N}/mine/tables`, { name: 'ctas2', schema: simpleSchema, 'stage-create': true });
    expect(staged.status).toBe(200);
    const committed = await maker('POST', `${N}/mine/tables/ctas2`, createTransactionCommit(staged.body.metadata));
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect((await maker('GET', `${N}/mine/tables/ctas2`)).status).toBe(200);
    expect((await maker('POST', `${N}/mine/tables/ctas2`, { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] })).status).toBe(
      200,
    );
  });

  it('a registered table: reads and commits to it', async () => {
    expect((await maker('POST', `${N}/mine/tables`, { name: 'src2', schema: simpleSchema })).status).toBe(200);
    const un = await maker('POST', `${N}/mine/tables/src2/unregister`);
    expect(un.status).toBe(200);
    const reg = await maker('POST', `${N}/mine/register`, { name: 'reg2', 'metadata-location': un.body['metadata-location'] });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    expect((await maker('GET', `${N}/mine/tables/reg2`)).status).toBe(200);
    expect((await maker('POST', `${N}/mine/tables/reg2`, { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] })).status).toBe(200);
  });

  it('a view: loads and drops it', async () => {
    expect((await maker('POST', `${N}/mine/views`, { name: 'v', schema: simpleSchema, 'view-version': viewVersion('mine') })).status).toBe(200);
    expect((await maker('GET', `${N}/mine/views/v`)).status).toBe(200);
    expect((await maker('DELETE', `${N}/mine/views/v`)).status).toBe(204);
  });

  it('a registered view: loads and replaces it', async () => {
    const file = await droppedViewFile('vsrc2');
    const reg = await maker('POST', `${N}/mine/register-view`, { name: 'vreg2', 'metadata-location': file });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    expect((await maker('GET', `${N}/mine/views/vreg2`)).status).toBe(200);
    expect((await maker('POST', `${N}/mine/views/vreg2`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] })).status).toBe(200);
  });

  it('a Lance namespace and a Lance table in it: describes both', async () => {
    expect((await maker('POST', `${L}/namespace/lused/create`, { id: ['lused'] })).status).toBe(200);
    expect((await maker('POST', `${L}/namespace/lused/describe`, { id: ['lused'] })).status).toBe(200);
    const declared = await maker('POST', `${L}/table/lused%24lt/declare`, { id: ['lused', 'lt'] });
    expect(declared.status, JSON.stringify(declared.body)).toBe(200);
    expect((await maker('POST', `${L}/table/lused%24lt/describe`, { id: ['lused', 'lt'] })).status).toBe(200);
  });
});
