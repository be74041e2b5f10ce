/**
 * Authorization beyond the permission matrix: the management API's rules
 * and bad input, explain, listings that show only what the caller may see
 * (paged, batched), ownership of stage-created tables, grants that follow a
 * renamed table and do not survive a drop, locations that may not overlap,
 * and the audit trail of decisions.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addMember, grant, grantPrincipal, revoke } from '../support/access.js';
import { createTransactionCommit, simpleSchema, type Send, sqlView } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { type LocalIdp, startLocalIdp } from '../support/local-idp.js';
import { signInAdmin, signedInPrincipal, grantedPrincipal } from '../support/principals.js';

let cat: TestCatalog;
let idp: LocalIdp;
let admin: Send;

const ns = (levels: string[]) => ({ type: 'namespace' as const, warehouse: 'default', namespace: levels });
const table = (levels: string[], name: string) => ({ type: 'table' as const, warehouse: 'default', namespace: levels, name });

beforeAll(async () => {
  idp = await startLocalIdp('access');
  cat = await startInProcess({ LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted()]) }, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
  for (const t of ['orders', 'refunds', 'returns'])
    expect((await admin('POST', '/v1/default/namespaces/sales/tables', { name: t, schema: simpleSchema })).status).toBe(200);
});
afterAll(async () => {
  await cat?.close();
  await idp?.close();
});

describe('the management API for access', () => {
  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    await admin('POST', '/management/v1/roles', { name: 'analyst' });
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/management/v1/grants', { role: 'analyst', privileges: ['table:read-data'], securable: table(['sales'], 'nope') }, 404, /no such table/],
      ['POST', '/management/v1/grants', { role: 'analyst', privileges: ['table:read-data'], securable: ns(['nope']) }, 404, /no such namespace/],
      ['POST', '/management/v1/grants', { role: 'analyst', privileges: ['table:fly'], securable: ns(['sales']) }, 400, /unknown privilege/],
      [
        'POST',
        '/management/v1/grants',
        { role: 'analyst', privileges: ['table:create'], securable: table(['sales'], 'orders') },
        400,
        /cannot be granted on a table/,
      ],
      ['POST', '/management/v1/grants', { role: 'nobody', privileges: ['table:read-data'], securable: ns(['sales']) }, 404, /Role does not exist/],
      [
        'POST',
        '/management/v1/grants',
        { role: 'analyst', privileges: ['table:read-data'], securable: { type: 'warehouse', warehouse: 'elsewhere' } },
        404,
        /Warehouse does not exist/,
      ],
      ['POST', '/management/v1/grants', { role: 'analyst' }, 400, /securable/],
      ['POST', '/management/v1/roles', { name: 'analyst' }, 409, /already exists/],
      ['POST', '/management/v1/roles', { name: 'a/b' }, 400, /must not contain/],
      ['POST', '/management/v1/roles/analyst/members', { kind: 'principal', name: 'no-such-client' }, 404, /no such principal/],
      ['POST', '/management/v1/roles/analyst/members', { kind: 'user', name: 'alice' }, 400, /needs the issuer/],
      ['POST', '/management/v1/roles/analyst/members', { kind: 'group', name: 'g', issuer: 'https://untrusted.example' }, 400, /not a trusted issuer/],
      ['POST', '/management/v1/grants/revoke', { role: 'analyst', privileges: ['table:read-data'], securable: ns(['sales']) }, 404, /holds none/],
      [
        'POST',
        '/management/v1/explain',
        { subject: { kind: 'user', name: 'x' }, privilege: 'table:read-data', securable: ns(['sales']) },
        400,
        /needs the issuer/,
      ],
    ];
    for (const [method, url, body, status, message] of cases) {
      const res = await admin(method, url, body);
      expect(res.status, `${url} ${JSON.stringify(body)}`).toBe(status);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await admin('GET', '/management/v1/grants?role=analyst')).body.grants).toEqual([]);
    // A role in use cannot be deleted; emptied, it can.
    await grant(admin, 'analyst', ['namespace:list'], ns(['sales']));
    expect((await admin('DELETE', '/management/v1/roles/analyst')).status).toBe(409);
    await revoke(admin, 'analyst', ['namespace:list'], ns(['sales']));
    expect((await admin('DELETE', '/management/v1/roles/analyst')).status).toBe(204);
    expect((await admin('DELETE', '/management/v1/roles/admin')).status).toBe(409);
  });

  it('is for administrators and, for grants on a securable, holders of grants:manage there', async () => {
    const steward = await signedInPrincipal(cat, 'steward');
    expect((await steward.send('GET', '/management/v1/roles')).status).toBe(403);
    expect((await steward.send('POST', '/management/v1/roles', { name: 'x' })).status).toBe(403);
    await grantPrincipal(admin, steward.id, ['grants:manage'], ns(['sales']));
    await admin('POST', '/management/v1/roles', { name: 'readers' });
    // Inside sales: allowed (inherited down to the table); elsewhere: 403.
    expect(
      (await steward.send('POST', '/management/v1/grants', { role: 'readers', privileges: ['table:read-data'], securable: table(['sales'], 'orders') })).status,
    ).toBe(201);
    expect(
      (
        await steward.send('POST', '/management/v1/grants', {
          role: 'readers',
          privileges: ['namespace:list'],
          securable: { type: 'warehouse', warehouse: 'default' },
        })
      ).status,
    ).toBe(403);
    expect((await steward.send('GET', `/management/v1/grants?type=table&warehouse=default&namespace=sales&name=orders`)).body.grants).toEqual([
      expect.objectContaining({ role: 'readers', privilege: 'table:read-data', securable: table(['sales'], 'orders') }),
    ]);
    // Roles and members stay the administrators'.
    expect((await steward.send('POST', '/management/v1/roles/readers/members', { kind: 'principal', name: steward.id })).status).toBe(403);
  });

  it('explains who may do what, through which role and grant, for users by IdP group', async () => {
    await addMember(admin, 'sales-readers', { kind: 'group', issuer: idp.issuer, name: 'analysts' });
    await grant(admin, 'sales-readers', ['table:read-data'], ns(['sales']));
    const question = {
      subject: { kind: 'user', issuer: idp.issuer, name: 'alice', groups: ['analysts'] },
      privilege: 'table:read-metadata',
      securable: table(['sales'], 'orders'),
    };
    const yes = (await admin('POST', '/management/v1/explain', question)).body;
    expect(yes).toMatchObject({
      allowed: true,
      reason: 'grant',
      via: [{ role: 'sales-readers', privilege: 'table:read-data', securable: ns(['sales']), member: { kind: 'group', name: 'analysts', issuer: idp.issuer } }],
    });
    expect(yes.summary).toBe(
      'user alice can table:read-metadata on default/sales.orders through role sales-readers (held by group analysts) granted table:read-data on namespace default/sales',
    );
    const no = (await admin('POST', '/management/v1/explain', { ...question, privilege: 'table:write-data' })).body;
    expect(no).toMatchObject({ allowed: false, reason: 'none', via: [] });
    // And the decision holds for a real token of that user.
    const alice = bearerSender(cat.lakegate.app, await idp.token('alice', ['analysts']));
    expect((await alice('GET', '/v1/default/namespaces/sales/tables/orders')).status).toBe(200);
    expect(
      (await alice('POST', '/v1/default/namespaces/sales/tables/orders', { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }))
        .status,
    ).toBe(403);
    // Anyone may ask about themselves; not about others.
    const self = { ...question, subject: { kind: 'user', issuer: idp.issuer, name: 'alice' } };
    expect((await alice('POST', '/management/v1/explain', self)).status).toBe(200);
    expect((await alice('POST', '/management/v1/explain', { ...self, subject: { kind: 'user', issuer: idp.issuer, name: 'bob' } })).status).toBe(403);
  });

  it('answers a caller about itself from the groups its token carries; groups it does not carry are for grant managers', async () => {
    await addMember(admin, 'finance-secret', { kind: 'group', issuer: idp.issuer, name: 'cfo-office' });
    await grant(admin, 'finance-secret', ['table:write-data'], ns(['sales']));
    await addMember(admin, 'sales-listers', { kind: 'user', issuer: idp.issuer, name: 'mallory' });
    await grant(admin, 'sales-listers', ['table:list'], ns(['sales']));
    const mallory = bearerSender(cat.lakegate.app, await idp.token('mallory', ['interns']));
    const ask = (groups?: string[]) =>
      mallory('POST', '/management/v1/explain', {
        subject: { kind: 'user', issuer: idp.issuer, name: 'mallory', ...(groups ? { groups } : {}) },
        privilege: 'table:write-data',
        securable: table(['sales'], 'orders'),
      });
    // A group its token does not carry: refused, so the answer maps no one else's roles and grants.
    for (const groups of [['cfo-office'], ['interns', 'cfo-office']]) {
      const foreign = await ask(groups);
      expect(foreign.status, JSON.stringify(foreign.body)).toBe(403);
      expect(JSON.stringify(foreign.body)).not.toMatch(/finance-secret/);
    }
    const audited = (await admin('GET', '/management/v1/audit?decision=deny&object=sales.orders&limit=100')).body.events as Array<Record<string, unknown>>;
    expect(audited.filter((e) => e.action === 'grants:manage' && String(e.actor).includes('mallory'))).toHaveLength(2);
    // Its own groups (all of them when none are named, or some of them): the true answer for its token.
    for (const groups of [undefined, ['interns'], []]) {
      const own = await ask(groups);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ allowed: false, reason: 'none', via: [] });
    }
    expect(
      (await mallory('POST', '/v1/default/namespaces/sales/tables/orders', { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] }))
        .status,
    ).toBe(403);
    // Named groups or not, alice is answered from her token's group analysts, as her requests are decided.
    const alice = bearerSender(cat.lakegate.app, await idp.token('alice', ['analysts']));
    const herself = await alice('POST', '/management/v1/explain', {
      subject: { kind: 'user', issuer: idp.issuer, name: 'alice' },
      privilege: 'table:read-data',
      securable: table(['sales'], 'orders'),
    });
    expect(herself.body).toMatchObject({ allowed: true, reason: 'grant', via: [{ role: 'sales-readers', member: { kind: 'group', name: 'analysts' } }] });
    // A grant manager may still ask about a hypothetical identity.
    const hypothetical = await admin('POST', '/management/v1/explain', {
      subject: { kind: 'user', issuer: idp.issuer, name: 'mallory', groups: ['cfo-office'] },
      privilege: 'table:write-data',
      securable: table(['sales'], 'orders'),
    });
    expect(hypothetical.body).toMatchObject({
      allowed: true,
      reason: 'grant',
      via: [{ role: 'finance-secret', member: { kind: 'group', name: 'cfo-office' } }],
    });
  });
});

describe('listings show only what the caller may see', () => {
  it('pages through the visible tables of a large namespace, one batched check per chunk', async () => {
    await admin('POST', '/v1/default/namespaces', { namespace: ['big'] });
    const names = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    for (const name of names) expect((await admin('POST', '/v1/default/namespaces/big/tables', { name, schema: simpleSchema })).status).toBe(200);
    const visible = names.filter((_, i) => i % 10 === 3);
    const reader = await signedInPrincipal(cat, 'sparse-reader');
    for (const name of visible) await grantPrincipal(admin, reader.id, ['table:read-data'], table(['big'], name));
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    // Count the authorizer's lookups: never one per table. The reader's few grants are read once and decided on in
    // memory (grantsOn, the batched lookup per chunk for roles with many grants, is covered by the decision suite).
    const lookups = vi.spyOn(cat.lakegate.store.access, 'grantsOn');
    const reads = vi.spyOn(cat.lakegate.store.access, 'listGrants');
    do {
      const res = await reader.send('GET', `/v1/default/namespaces/big/tables?pageSize=7&pageToken=${token ?? ''}`);
      expect(res.status).toBe(200);
      expect(res.body.identifiers.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.identifiers.map((i: { name: string }) => i.name));
      token = res.body['next-page-token'];
      pages += 1;
    } while (token && pages < 100);
    expect(seen).toEqual(visible);
    expect(pages).toBe(4);
    expect(lookups.mock.calls.length + reads.mock.calls.length).toBeLessThanOrEqual(pages);
    lookups.mockRestore();
    reads.mockRestore();
    // With table:list on the namespace, everything.
    await grantPrincipal(admin, reader.id, ['table:list'], ns(['big']));
    expect((await reader.send('GET', '/v1/default/namespaces/big/tables?pageSize=1000')).body.identifiers).toHaveLength(250);
    // Namespaces: at the root, only those the caller holds something in.
    const roots = (await reader.send('GET', '/v1/default/namespaces')).body.namespaces;
    expect(roots).toEqual([['big']]);
  });

  it('answers 403 for a namespace the caller holds nothing on, exactly as for a missing one', async () => {
    const nobody = await signedInPrincipal(cat, 'nobody');
    const there = await nobody.send('GET', '/v1/default/namespaces/sales/tables');
    const missing = await nobody.send('GET', '/v1/default/namespaces/nosuch/tables');
    expect(there.status).toBe(403);
    expect(missing.status).toBe(403);
    expect((await nobody.send('GET', '/v1/default/namespaces/sales/tables/orders')).status).toBe(403);
    expect((await nobody.send('GET', '/v1/default/namespaces/sales/tables/nosuch')).status).toBe(403);
    // Who may see the namespace learns what is missing in it.
    const seer = await grantedPrincipal(cat, admin, 'seer', ['namespace:list'], ns(['sales']));
    expect((await seer.send('GET', '/v1/default/namespaces/sales/tables/nosuch')).status).toBe(404);
    expect((await seer.send('GET', '/v1/default/namespaces/sales/tables/orders')).status).toBe(403);
  });
});

describe('the management API reveals no names either', () => {
  it('answers a caller who holds nothing alike for existing and missing securables, in explain and grant listings', async () => {
    const nobody = await signedInPrincipal(cat, 'mgmt-nobody');
    const self = { kind: 'principal', name: nobody.id };
    const explain = (securable: unknown) => nobody.send('POST', '/management/v1/explain', { subject: self, privilege: 'table:read-data', securable });
    const grants = (q: string) => nobody.send('GET', `/management/v1/grants?type=table&warehouse=default&${q}`);
    const alike = async (existing: Awaited<ReturnType<Send>>, missing: Awaited<ReturnType<Send>>, name: string, missingName: string) => {
      expect(existing.status).toBe(403);
      expect({ status: missing.status, body: JSON.stringify(missing.body).replaceAll(missingName, name) }).toEqual({
        status: 403,
        body: JSON.stringify(existing.body),
      });
    };
    await alike(await explain(table(['sales'], 'orders')), await explain(table(['sales'], 'nosuch')), 'sales.orders', 'sales.nosuch');
    await alike(await explain(ns(['sales'])), await explain(ns(['nosuch'])), 'default/sales', 'default/nosuch');
    await alike(await grants('namespace=sales&name=orders'), await grants('namespace=sales&name=nosuch'), 'sales.orders', 'sales.nosuch');
    // Who may see the namespace learns what is missing in it, and may ask about itself there.
    await grantPrincipal(admin, nobody.id, ['namespace:list'], ns(['sales']));
    expect((await explain(table(['sales'], 'nosuch'))).status).toBe(404);
    expect((await explain(table(['sales'], 'orders'))).body).toMatchObject({ allowed: false, reason: 'none' });
    expect((await explain(ns(['nosuch']))).status).toBe(403);
  });
});

describe('grants follow the object', () => {
  it('keeps a table grant through a rename, and a dropped and re-created table starts with none', async () => {
    await admin('POST', '/v1/default/namespaces', { namespace: ['life'] });
    await admin('POST', '/v1/default/namespaces/life/tables', { name: 'a', schema: simpleSchema });
    const user = await grantedPrincipal(cat, admin, 'life-reader', ['table:read-data'], table(['life'], 'a'));
    expect((await user.send('GET', '/v1/default/namespaces/life/tables/a')).status).toBe(200);
    expect(
      (await admin('POST', '/v1/default/tables/rename', { source: { namespace: ['life'], name: 'a' }, destination: { namespace: ['life'], name: 'b' } }))
        .status,
    ).toBe(204);
    expect((await user.send('GET', '/v1/default/namespaces/life/tables/b')).status).toBe(200);
    expect((await admin('DELETE', '/v1/default/namespaces/life/tables/b')).status).toBe(204);
    await admin('POST', '/v1/default/namespaces/life/tables', { name: 'b', schema: simpleSchema });
    expect((await user.send('GET', '/v1/default/namespaces/life/tables/b')).status).toBe(403);
    expect((await admin('GET', `/management/v1/grants?role=${user.id}-role`)).body.grants).toEqual([]);
  });
  it('lets a table or view move to another namespace only when that gives the caller nothing it did not hold', async () => {
    for (const levels of [['vault'], ['open']]) await admin('POST', '/v1/default/namespaces', { namespace: levels });
    await admin('POST', '/v1/default/namespaces/vault/tables', { name: 'gold', schema: simpleSchema });
    await admin('POST', '/v1/default/namespaces/vault/views', sqlView('gv', ['vault'], 'select 1'));
    const mover = await grantedPrincipal(cat, admin, 'mover', ['table:drop'], table(['vault'], 'gold'));
    await grantPrincipal(admin, mover.id, ['view:drop'], { type: 'view', warehouse: 'default', namespace: ['vault'], name: 'gv' });
    await grantPrincipal(admin, mover.id, ['table:create', 'table:read-data', 'view:create', 'view:read'], ns(['open']));
    const move = (kind: 'tables' | 'views', name: string) =>
      mover.send('POST', `/v1/default/${kind}/rename`, { source: { namespace: ['vault'], name }, destination: { namespace: ['open'], name } });
    // Drop-only at the source, readers at the destination: a move would let them read it.
    const refused = await move('tables', 'gold');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/table:read-metadata, table:read-data on default\/vault\.gold/);
    expect((await move('views', 'gv')).status).toBe(403);
    expect((await mover.send('GET', '/v1/default/namespaces/open/tables/gold')).status).toBe(404);
    // Holding at the source what the destination gives, they may move it.
    await grantPrincipal(admin, mover.id, ['table:read-data'], table(['vault'], 'gold'));
    expect((await move('tables', 'gold')).status).toBe(204);
    expect((await mover.send('GET', '/v1/default/namespaces/open/tables/gold')).status).toBe(200);
  });
});

describe('stage-created tables belong to their creator until committed', () => {
  it('lets only the creator, or a holder of table:create and table:write-data on the namespace, refresh or commit it', async () => {
    await admin('POST', '/v1/default/namespaces', { namespace: ['ctas'] });
    const alice = await signedInPrincipal(cat, 'ctas-alice');
    const bob = await signedInPrincipal(cat, 'ctas-bob');
    const carol = await signedInPrincipal(cat, 'ctas-carol');
    await grantPrincipal(admin, alice.id, ['table:create', 'table:write-data'], ns(['ctas']));
    await grantPrincipal(admin, bob.id, ['table:create', 'table:read-data'], ns(['ctas']));
    await grantPrincipal(admin, carol.id, ['table:create', 'table:write-data'], ns(['ctas']));
    const staged = await alice.send('POST', '/v1/default/namespaces/ctas/tables', { name: 'out', schema: simpleSchema, 'stage-create': true });
    expect(staged.status).toBe(200);
    const creds = '/v1/default/namespaces/ctas/tables/out/credentials';
    expect((await alice.send('GET', creds)).status).toBe(200);
    expect((await bob.send('GET', creds)).status).toBe(403);
    expect((await carol.send('GET', creds)).status).toBe(200);
    const commit = () => createTransactionCommit(staged.body.metadata);
    expect((await bob.send('POST', '/v1/default/namespaces/ctas/tables/out', commit())).status).toBe(403);
    const done = await alice.send('POST', '/v1/default/namespaces/ctas/tables/out', commit());
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  });
});

describe('table locations', () => {
  it('may not overlap another table: not the same, not inside, not around it — also through register', async () => {
    await admin('POST', '/v1/default/namespaces', { namespace: ['loc'] });
    const first = await admin('POST', '/v1/default/namespaces/loc/tables', { name: 'a', schema: simpleSchema });
    const location: string = first.body.metadata.location;
    const attempts = [location, `${location}/inside`, location.slice(0, location.lastIndexOf('/'))];
    for (const l of attempts) {
      const res = await admin('POST', '/v1/default/namespaces/loc/tables', { name: `x${attempts.indexOf(l)}`, schema: simpleSchema, location: l });
      expect(res.status, l).toBe(400);
      expect(res.body.error.message).toMatch(/overlaps the location of another table or view/);
    }
    // Nor does the refusal name the other table to a creator elsewhere, who may not see it.
    const creator = await signedInPrincipal(cat, 'loc-creator');
    await admin('POST', '/v1/default/namespaces', { namespace: ['loc2'] });
    await grantPrincipal(admin, creator.id, ['table:create'], ns(['loc2']));
    const probe = await creator.send('POST', '/v1/default/namespaces/loc2/tables', {
      name: 'probe',
      schema: simpleSchema,
      location: location.slice(0, location.lastIndexOf('/')),
    });
    expect(probe.status).toBe(400);
    expect(probe.body.error.message).not.toMatch(/loc\.a/);
    // Registering the live table's own metadata under another name would hand out its data: refused.
    const reg = await admin('POST', '/v1/default/namespaces/loc/register', { name: 'copy', 'metadata-location': first.body['metadata-location'] });
    expect(reg.status).toBe(400);
    expect((await admin('GET', '/v1/default/namespaces/loc/tables')).body.identifiers).toEqual([{ namespace: ['loc'], name: 'a' }]);
  });
});

describe('register with overwrite', () => {
  it('needs table:write-data on the table it overwrites, also on one that appeared after the request was authorized', async () => {
    await admin('POST', '/v1/default/namespaces', { namespace: ['reg'] });
    const source = await admin('POST', '/v1/default/namespaces/reg/tables', { name: 'src', schema: simpleSchema });
    await admin('POST', '/v1/default/namespaces/reg/tables/src/unregister');
    await admin('POST', '/v1/default/namespaces/reg/tables', { name: 'target', schema: simpleSchema });
    const registrar = await grantedPrincipal(cat, admin, 'registrar', ['table:create'], ns(['reg']));
    const body = { name: 'target', 'metadata-location': source.body['metadata-location'], overwrite: true };
    expect((await registrar.send('POST', '/v1/default/namespaces/reg/register', body)).status).toBe(403);
    // The table is looked up once to authorize and again to overwrite: as if it was created in between.
    const repository = cat.lakegate.store.repository;
    const getObject = repository.getObject.bind(repository);
    const spy = vi
      .spyOn(repository, 'getObject')
      .mockImplementationOnce(async () => undefined)
      .mockImplementation(getObject);
    const raced = await registrar.send('POST', '/v1/default/namespaces/reg/register', body);
    spy.mockRestore();
    expect(raced.status).toBe(403);
    expect((await admin('GET', '/v1/default/namespaces/reg/tables/target')).body['metadata-location']).not.toBe(source.body['metadata-location']);
  });
});

describe('a commit', () => {
  it('goes only to the table it was authorized for, not to one that took its name meanwhile', async () => {
    await admin('POST', '/v1/default/namespaces', { namespace: ['swap'] });
    const mine = await admin('POST', '/v1/default/namespaces/swap/tables', { name: 'mine', schema: simpleSchema });
    await admin('POST', '/v1/default/namespaces/swap/tables', { name: 'theirs', schema: simpleSchema });
    const writer = await grantedPrincipal(cat, admin, 'swap-writer', ['table:write-data'], table(['swap'], 'mine'));
    const change = { requirements: [], updates: [{ action: 'set-properties', updates: { written: 'by-writer' } }] };
    expect((await writer.send('POST', '/v1/default/namespaces/swap/tables/theirs', change)).status).toBe(403);
    // The table is looked up once to authorize and again to commit: as if 'theirs' was dropped and re-created in between.
    const repository = cat.lakegate.store.repository;
    const getObject = repository.getObject.bind(repository);
    const mineRecord = await getObject('default', ['swap'], 'mine');
    const spy = vi
      .spyOn(repository, 'getObject')
      .mockImplementationOnce(async () => mineRecord)
      .mockImplementation(getObject);
    const raced = await writer.send('POST', '/v1/default/namespaces/swap/tables/theirs', change);
    spy.mockRestore();
    expect(raced.status).toBe(409);
    expect((await admin('GET', '/v1/default/namespaces/swap/tables/theirs')).body.metadata.properties?.written).toBeUndefined();
    expect(mine.status).toBe(200);
  });

  it('and so do a drop and a rename: never to a table that took the name after they were authorized', async () => {
    const dropper = await grantedPrincipal(cat, admin, 'swap-dropper', ['table:drop'], table(['swap'], 'mine'));
    await grantPrincipal(admin, dropper.id, ['table:create'], ns(['swap']));
    const repository = cat.lakegate.store.repository;
    const getObject = repository.getObject.bind(repository);
    // At authorization, 'theirs' was the table the dropper holds table:drop on; by the time it acts, it is another.
    const before = { ...(await getObject('default', ['swap'], 'mine'))!, name: 'theirs' };
    const raced = async (run: () => ReturnType<Send>) => {
      const spy = vi
        .spyOn(repository, 'getObject')
        .mockImplementationOnce(async () => before)
        .mockImplementation(getObject);
      try {
        return await run();
      } finally {
        spy.mockRestore();
      }
    };
    expect((await raced(() => dropper.send('DELETE', '/v1/default/namespaces/swap/tables/theirs'))).status).toBe(404);
    const rename = { source: { namespace: ['swap'], name: 'theirs' }, destination: { namespace: ['swap'], name: 'stolen' } };
    expect((await raced(() => dropper.send('POST', '/v1/default/tables/rename', rename))).status).toBe(404);
    expect((await admin('GET', '/v1/default/namespaces/swap/tables/theirs')).status).toBe(200);
    expect((await admin('GET', '/v1/default/namespaces/swap/tables/mine')).status).toBe(200);
  });
});

describe('the audit trail of decisions', () => {
  it('records allowed data-bearing actions and every denial, with tenant, actor, act chain, action, object and request id', async () => {
    const writer = await grantedPrincipal(cat, admin, 'audited-writer', ['table:drop'], table(['sales'], 'returns'));
    expect((await writer.send('DELETE', '/v1/default/namespaces/sales/tables/refunds')).status).toBe(403);
    expect((await writer.send('DELETE', '/v1/default/namespaces/sales/tables/returns')).status).toBe(204);
    const events = (await admin('GET', `/management/v1/audit?actor=${writer.id}&limit=50`)).body.events as Array<Record<string, unknown>>;
    const denied = events.find((e) => e.type === 'access.denied');
    const allowed = events.find((e) => e.type === 'access.allowed');
    expect(denied).toMatchObject({ tenant: 'default', decision: 'deny', action: 'table:drop', object: 'default/sales.refunds', actor: `service:${writer.id}` });
    expect(allowed).toMatchObject({ tenant: 'default', decision: 'allow', action: 'table:drop', object: 'default/sales.returns' });
    expect(typeof denied!.requestId).toBe('string');
    // Filters by decision and object.
    const onlyDenied = (await admin('GET', '/management/v1/audit?decision=deny&object=sales.refunds')).body.events as Array<{ decision: string }>;
    expect(onlyDenied.length).toBeGreaterThan(0);
    expect(onlyDenied.every((e) => e.decision === 'deny')).toBe(true);
  });
});

describe('a table loaded through a view (referenced-by)', () => {
  it("is authorized on the caller's own privileges: reading the view gives nothing on the table (docs/authorization.md)", async () => {
    const view = sqlView('orders_view', ['sales'], 'select * from orders', { properties: { owner: 'admin' } });
    expect((await admin('POST', '/v1/default/namespaces/sales/views', view)).status).toBe(200);
    const reader = await grantedPrincipal(cat, admin, 'view-reader', ['view:read'], {
      type: 'view',
      warehouse: 'default',
      namespace: ['sales'],
      name: 'orders_view',
    });
    expect((await reader.send('GET', '/v1/default/namespaces/sales/views/orders_view')).status).toBe(200);
    const chain = encodeURIComponent('sales\u001forders_view');
    expect((await reader.send('GET', `/v1/default/namespaces/sales/tables/orders?referenced-by=${chain}`)).status).toBe(403);
    expect((await reader.send('GET', `/v1/default/namespaces/sales/tables/orders/credentials?referenced-by=${chain}`)).status).toBe(403);
    // With the table's own privilege the same request is answered.
    await grantPrincipal(admin, reader.id, ['table:read-metadata'], table(['sales'], 'orders'));
    expect((await reader.send('GET', `/v1/default/namespaces/sales/tables/orders?referenced-by=${chain}`)).status).toBe(200);
  });
});

describe('names holding "/" in the management API (issue 42)', () => {
  it('grants on, lists the grants of, and authorizes by a table named with "/" in a namespace named with "/"', async () => {
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['eu/west'] })).status).toBe(200);
    expect((await admin('POST', `/v1/default/namespaces/${encodeURIComponent('eu/west')}/tables`, { name: 'or/ders', schema: simpleSchema })).status).toBe(200);
    const reader = await signedInPrincipal(cat, 'slash-reader');
    const role = await grantPrincipal(admin, reader.id, ['table:read-metadata'], table(['eu/west'], 'or/ders'));
    const url = `/v1/default/namespaces/${encodeURIComponent('eu/west')}/tables/${encodeURIComponent('or/ders')}`;
    expect((await reader.send('GET', url)).status).toBe(200);
    const q = new URLSearchParams({ type: 'table', warehouse: 'default', namespace: 'eu/west', name: 'or/ders' });
    const grants = await admin('GET', `/management/v1/grants?${q}`);
    expect(grants.status).toBe(200);
    expect(JSON.stringify(grants.body)).toContain(role);
    // Not the table "ders" of namespace eu.west.or, nor anything else the "/" could be split into.
    expect((await reader.send('GET', `/v1/default/namespaces/${encodeURIComponent('eu/west')}/tables/ders`)).status).toBe(403);
  });
});
