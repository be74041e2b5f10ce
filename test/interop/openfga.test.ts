/**
 * The OpenFGA adapter against a real OpenFGA (built from the Go module proxy by scripts/peers/openfga.sh):
 * the AccessControl contract and the decision suite (the same the built-in adapter passes), connecting
 * (store found or created, model written once and rewritten when outdated), preshared-key
 * authentication, and what callers see when OpenFGA cannot answer (503 with Retry-After, no secret).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFgaAccess } from '../../packages/server/src/auth/authz/openfga/openfga-access.js';
import { ConfigError } from '../../packages/server/src/config/config.js';
import type { AccessQuery, Member } from '../../packages/server/src/catalog/ports/access.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';
import { accessControlContract } from '../access/access-control-contract.js';
import { authorizerDecisions } from '../access/authorizer-decisions.js';
import { startInProcess } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';
import { freePort } from '../support/temp.js';
import { simpleSchema } from '../support/iceberg-http.js';
import { tokenOf, signInAdmin } from '../support/principals.js';
import { waitFor } from '../support/wait-for.js';

let fga: OpenFga;
beforeAll(async () => {
  fga = await startOpenFga();
});
afterAll(async () => {
  await fga?.stop();
});

const connect = async (storeId: string, roles = new MemoryAccessControl()) => OpenFgaAccess.connect({ url: fga.url, storeId, token: '', roles });

accessControlContract('OpenFGA', async () => ({ control: await connect(await fga.createStore()) }), { timestamps: 'server' });

authorizerDecisions('OpenFGA', async () => {
  const access = await connect(await fga.createStore());
  return { control: access, authorizer: access };
});

describe('OpenFGA adapter: connecting', () => {
  const readModels = async (storeId: string) =>
    ((await (await fetch(`${fga.url}/stores/${storeId}/authorization-models`)).json()) as { authorization_models: Array<{ id: string }> }).authorization_models;

  it('finds or creates the store "lakegate" and writes the model only when it is absent or outdated', async () => {
    const first = await connect('');
    const again = await connect('');
    expect(again.storeId).toBe(first.storeId);
    expect(again.modelId).toBe(first.modelId);
    const stores = ((await (await fetch(`${fga.url}/stores`)).json()) as { stores: Array<{ id: string; name: string }> }).stores.filter(
      (s) => s.name === 'lakegate',
    );
    expect(stores.map((s) => s.id)).toEqual([first.storeId]);
    expect(await readModels(first.storeId)).toHaveLength(1);

    // A store whose latest model is another one gets the current model on the next connect.
    const storeId = await fga.createStore();
    const res = await fetch(`${fga.url}/stores/${storeId}/authorization-models`, {
      method: 'POST',
      body: JSON.stringify({
        schema_version: '1.1',
        type_definitions: [
          { type: 'user' },
          { type: 'doc', relations: { viewer: { this: {} } }, metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user' }] } } } },
        ],
      }),
    });
    expect(res.status).toBe(201);
    const oldId = ((await res.json()) as { authorization_model_id: string }).authorization_model_id;
    const upgraded = await connect(storeId);
    expect(upgraded.modelId).not.toBe(oldId);
    expect((await readModels(storeId)).map((m) => m.id)).toContain(upgraded.modelId);
    expect((await connect(storeId)).modelId).toBe(upgraded.modelId);
  });

  it('replicas starting together settle on one store', async () => {
    const other = await startOpenFga();
    try {
      const roles = new MemoryAccessControl();
      const all = await Promise.all([1, 2, 3].map(() => OpenFgaAccess.connect({ url: other.url, storeId: '', token: '', roles })));
      expect(new Set(all.map((a) => a.storeId)).size).toBe(1);
      const stores = ((await (await fetch(`${other.url}/stores`)).json()) as { stores: Array<{ id: string; name: string }> }).stores.filter(
        (s) => s.name === 'lakegate',
      );
      expect(stores.map((s) => s.id)).toEqual([all[0]!.storeId]);
    } finally {
      await other.stop();
    }
  });

  it('refuses to start when OpenFGA does not answer, saying where and why', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(OpenFgaAccess.connect({ url: closed, storeId: '', token: 'secret-token', roles: new MemoryAccessControl() })).rejects.toThrow(
      new RegExp(`^cannot use OpenFGA at ${closed.replace(/[.]/g, '\\.')}: OpenFGA list-stores: ECONNREFUSED$`),
    );
  });

  it('refuses to start on a store it cannot read', async () => {
    await expect(connect('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toThrow(/cannot be read/);
  });
});

describe('OpenFGA adapter: authentication and unavailability', () => {
  const KEY = 'openfga-preshared-test-key-0123456789';
  let guarded: OpenFga;
  beforeAll(async () => {
    guarded = await startOpenFga({ presharedKey: KEY });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  it('uses the preshared key, and a wrong key never shows in what callers see', async () => {
    const ok = await OpenFgaAccess.connect({ url: guarded.url, storeId: '', token: KEY, roles: new MemoryAccessControl() });
    expect(
      await ok.check('default', [{ kind: 'principal', issuer: '', name: 'x' }], [{ privilege: 'table:list', path: { warehouse: 'w', namespaces: ['a'] } }]),
    ).toEqual([false]);
    const wrong = 'wrong-key-that-must-not-leak';
    const error = await OpenFgaAccess.connect({ url: guarded.url, storeId: '', token: wrong, roles: new MemoryAccessControl() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^cannot use OpenFGA at http:\/\/127\.0\.0\.1:\d+: OpenFGA list-stores: HTTP 401/);
    const text = JSON.stringify({ message: (error as Error).message, cause: String((error as Error).cause), stack: (error as Error).stack });
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(KEY);
  });

  it('answers 503 with Retry-After when OpenFGA stops answering, and never allows', async () => {
    const own = await startOpenFga({ presharedKey: KEY });
    const cat = await startInProcess(await own.lakegateEnv(), { auth: true });
    try {
      const admin = await signInAdmin(cat);
      expect((await admin('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
      const p = await cat.lakegate.principals.create('reader');
      const reader = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
      expect((await admin('POST', '/management/v1/roles', { name: 'readers' })).status).toBeLessThan(300);
      expect((await admin('POST', '/management/v1/roles/readers/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
      expect(
        (
          await admin('POST', '/management/v1/grants', {
            role: 'readers',
            privileges: ['namespace:list'],
            securable: { type: 'warehouse', warehouse: 'default' },
          })
        ).status,
      ).toBeLessThan(300);
      expect((await reader('GET', '/v1/default/namespaces')).status).toBe(200);

      await own.stop();
      await new Promise((r) => setTimeout(r, 2100)); // past the decision cache (authzCacheSeconds 2)
      const res = await cat.lakegate.app.inject({
        method: 'GET',
        url: '/v1/default/namespaces',
        headers: { authorization: `Bearer ${await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret)}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body).not.toContain(KEY);
      expect(res.json().error.type).toBe('ServiceUnavailableException');
      const grantRes = await admin('POST', '/management/v1/grants', {
        role: 'readers',
        privileges: ['table:list'],
        securable: { type: 'warehouse', warehouse: 'default' },
      });
      expect(grantRes.status).toBe(503);
      expect(cat.logs()).not.toContain(KEY);
    } finally {
      await cat.close();
      await own.stop();
    }
  });
});

describe('OpenFGA adapter: creators own what they create', () => {
  it('grants the creator of a namespace and of a table in it owner tuples after the commit (pending in its transaction), so it uses them at once', async () => {
    const own = await startOpenFga();
    const cat = await startInProcess(await own.lakegateEnv(), { auth: true });
    try {
      const a = cat.admin();
      const admin = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, a.client_id, a.client_secret));
      const p = await cat.lakegate.principals.create('maker');
      const maker = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
      expect((await admin('POST', '/management/v1/roles', { name: 'makers' })).status).toBeLessThan(300);
      expect((await admin('POST', '/management/v1/roles/makers/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
      expect(
        (
          await admin('POST', '/management/v1/grants', {
            role: 'makers',
            privileges: ['namespace:create'],
            securable: { type: 'warehouse', warehouse: 'default' },
          })
        ).status,
      ).toBeLessThan(300);
      expect((await maker('POST', '/v1/default/namespaces', { namespace: ['mine'] })).status).toBe(200);
      const table = await maker('POST', '/v1/default/namespaces/mine/tables', { name: 't', schema: simpleSchema });
      expect(table.status, JSON.stringify(table.body)).toBe(200);
      expect(
        (await maker('POST', '/v1/default/namespaces/mine/tables/t', { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] }))
          .status,
      ).toBe(200);
      const owner = ((await admin('GET', '/management/v1/roles')).body.roles as Array<{ name: string }>).find((r) => r.name.startsWith('owner-'));
      expect(owner).toBeDefined();
      const details = (await admin('GET', `/management/v1/roles/${owner!.name}`)).body;
      expect(details.members).toEqual([expect.objectContaining({ kind: 'principal', name: p.clientId })]);
      expect(details.grants.map((g: { privilege: string }) => g.privilege)).toContain('table:write-data');
      // Each create recorded its owner grant pending in its transaction and removed it once OpenFGA had it.
      expect(await cat.lakegate.store.pendingOwnerGrants.pending(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    } finally {
      await cat.close();
      await own.stop();
    }
  });
  it('writes an owner grant a crash left pending (committed object, no tuples) when a server starts', async () => {
    const own = await startOpenFga();
    const env = await own.lakegateEnv();
    const first = await startInProcess(env, { auth: true });
    let second: Awaited<ReturnType<typeof startInProcess>> | undefined;
    try {
      const a = first.admin();
      const admin = bearerSender(first.lakegate.app, await tokenOf(first.lakegate.app, a.client_id, a.client_secret));
      const p = await first.lakegate.principals.create('crashed-maker');
      // The state a crash between a create's commit and its OpenFGA writes leaves: the object, and its pending owner grant.
      expect((await admin('POST', '/v1/default/namespaces', { namespace: ['crashed'] })).status).toBe(200);
      const id = (await first.lakegate.store.repository.getNamespaceIds('default', [['crashed']])).get('crashed')!;
      await first.lakegate.store.pendingOwnerGrants.add({
        id: 'crashed-1',
        tenant: 'default',
        warehouse: 'default',
        member: { kind: 'principal', issuer: '', name: p.clientId },
        securable: { kind: 'namespace', id },
        object: 'default/crashed',
        createdAtMs: 0,
      });
      const asMaker = async (cat: typeof first) => bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
      expect((await (await asMaker(first))('POST', '/v1/default/namespaces/crashed/tables', { name: 't', schema: simpleSchema })).status).toBe(403);
      // Another server on the same database starts: its start-up recovery writes the grant and removes the record.
      second = await startInProcess(env, { auth: true, dataDir: first.dataDir });
      await waitFor(
        'the pending owner grant written',
        () => second!.lakegate.store.pendingOwnerGrants.pending(Number.MAX_SAFE_INTEGER, 10),
        (rows) => rows.length === 0,
      );
      const created = await (await asMaker(second))('POST', '/v1/default/namespaces/crashed/tables', { name: 't', schema: simpleSchema });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    } finally {
      await second?.close();
      await first.close();
      await own.stop();
    }
  });
});

describe('OpenFGA adapter: listings', () => {
  it("filters each chunk of a listing with two BatchCheck requests (its namespace first), never one per table (OpenFGA's own request count)", async () => {
    const big = await startOpenFga({ maxChecksPerBatchCheck: 200 });
    const cat = await startInProcess(await big.lakegateEnv(), { auth: true });
    try {
      const admin = await signInAdmin(cat);
      expect((await admin('POST', '/v1/default/namespaces', { namespace: ['big'] })).status).toBe(200);
      const names = Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      for (const name of names)
        expect(
          (
            await admin('POST', '/v1/default/namespaces/big/tables', {
              name,
              schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] },
            })
          ).status,
        ).toBe(200);
      const p = await cat.lakegate.principals.create('sparse');
      const reader = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
      expect((await admin('POST', '/management/v1/roles', { name: 'sparse' })).status).toBe(201);
      expect((await admin('POST', '/management/v1/roles/sparse/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
      const visible = names.filter((_, i) => i % 10 === 3);
      for (const name of visible) {
        expect(
          (
            await admin('POST', '/management/v1/grants', {
              role: 'sparse',
              privileges: ['table:read-metadata'],
              securable: { type: 'table', warehouse: 'default', namespace: ['big'], name },
            })
          ).status,
        ).toBe(201);
      }
      const before = (await big.requestCounts()).BatchCheck ?? 0;
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await reader('GET', `/v1/default/namespaces/big/tables?pageSize=100&pageToken=${token ?? ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.identifiers.map((i: { name: string }) => i.name));
        token = res.body['next-page-token'] ?? undefined;
        pages += 1;
      } while (token);
      expect(seen).toEqual(visible);
      // 300 tables in chunks of 100: per chunk one BatchCheck on the namespace (its 2 permissions, parents first,
      // which deny here), then one with the chunk's 200 table checks; plus the check on the namespace itself.
      expect(pages).toBe(1);
      expect(((await big.requestCounts()).BatchCheck ?? 0) - before).toBe(3 * 2 + 1);
    } finally {
      await cat.close();
      await big.stop();
    }
  });
});

describe('OpenFGA adapter: parents first', () => {
  const tableOf = (i: number): AccessQuery => ({
    privilege: 'table:read-data',
    path: { warehouse: 'w1', namespaces: ['n1'], object: { kind: 'table', id: `t${i}` } },
  });

  it('decides the tables of a namespace the caller is granted with one check on the namespace, not one per table', async () => {
    const access = await connect(await fga.createStore());
    const member: Member = { kind: 'principal', issuer: '', name: 'reader' };
    const now = Date.now();
    await access.createRole({ tenant: 'default', name: 'ns-readers', description: '', createdAtMs: now });
    await access.addMember({ tenant: 'default', role: 'ns-readers', member, createdAtMs: now });
    await access.grant({
      tenant: 'default',
      role: 'ns-readers',
      privilege: 'table:read-data',
      securable: { kind: 'namespace', id: 'n1', warehouse: 'w1' },
      createdAtMs: now,
    });
    const queries = Array.from({ length: 300 }, (_, i) => tableOf(i));
    const before = access.batchCheckItems;
    expect(await access.check('default', [member], queries)).toEqual(queries.map(() => true));
    expect(access.batchCheckItems - before).toBe(1);
  });

  it('checks only the tables its roles hold grants on where the namespace denies, and answers exactly its own grants', async () => {
    const access = await connect(await fga.createStore());
    const member: Member = { kind: 'principal', issuer: '', name: 'sparse' };
    const now = Date.now();
    await access.createRole({ tenant: 'default', name: 'sparse', description: '', createdAtMs: now });
    await access.addMember({ tenant: 'default', role: 'sparse', member, createdAtMs: now });
    for (const i of [3, 150, 299])
      await access.grant({
        tenant: 'default',
        role: 'sparse',
        privilege: 'table:read-data',
        securable: { kind: 'table', id: `t${i}`, warehouse: 'w1' },
        createdAtMs: now,
      });
    // A second namespace granted whole, asked in the same call: its tables need no check of their own.
    await access.grant({
      tenant: 'default',
      role: 'sparse',
      privilege: 'table:read-data',
      securable: { kind: 'namespace', id: 'n2', warehouse: 'w1' },
      createdAtMs: now,
    });
    const other = Array.from({ length: 50 }, (_, i): AccessQuery => ({
      privilege: 'table:read-data',
      path: { warehouse: 'w1', namespaces: ['n2'], object: { kind: 'table', id: `u${i}` } },
    }));
    const queries = [...Array.from({ length: 300 }, (_, i) => tableOf(i)), ...other, tableOf(3)];
    const before = access.batchCheckItems;
    const answers = await access.check('default', [member], queries);
    expect(answers.slice(0, 300).flatMap((a, i) => (a ? [i] : []))).toEqual([3, 150, 299]);
    expect(answers.slice(300)).toEqual([...other.map(() => true), true]);
    // Two namespace checks, then of n1's 300 tables only the 3 the role holds grants on (read from OpenFGA); the
    // repeated query is asked once.
    expect(access.batchCheckItems - before).toBe(2 + 3);
  });
});
