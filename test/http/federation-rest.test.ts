/**
 * Federation (issue 57), Iceberg REST kind, in-process: a Lakegate ("front") federates a warehouse to another Lakegate
 * ("remote", a conforming Iceberg REST catalog with OAuth2, listening on a real port) through a switchable proxy.
 * Proves: the connection test at creation (wrong credentials: 400 without the secret), the secret never answered or
 * logged, pass-through of namespaces and tables (create, load, list, commit, drop) landing at the remote, commits that
 * are the remote's own (a direct writer and a writer through Lakegate both survive; a stale requirement is a 409),
 * deny by default, changes made at the remote seen on the next load, and 503 (Retry-After) / 502 / 403 for a remote
 * that is down, slow, invalid, or points outside the warehouse's storage, then recovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federatedWarehouse, startRemoteLakegate, type RemoteLakegate } from '../support/federation.js';
import { startWithCallers, tokenOf, type CatalogWithCallers } from '../support/principals.js';
import { bearerSender } from '../support/inject.js';
import { simpleSchema, type Send, sqlView } from '../support/iceberg-http.js';
import { READ_ONLY } from '../support/access.js';
import { startRemoteProxy, type RemoteProxy } from '../support/remote-proxy.js';

let remote: RemoteLakegate;
let remoteAdmin: Send;
let remoteRoot: string;
let remoteCreds: { client_id: string; client_secret: string };
let proxy: RemoteProxy;
let front: CatalogWithCallers;

const FED = '/v1/fed';
const REMOTE = '/v1/default';
const setProps = (updates: Record<string, string>, requirements: unknown[] = []) => ({ requirements, updates: [{ action: 'set-properties', updates }] });

beforeAll(async () => {
  remote = await startRemoteLakegate();
  ({ creds: remoteCreds, admin: remoteAdmin, root: remoteRoot } = remote);
  proxy = await startRemoteProxy(remote.url);
  front = await startWithCallers();
}, 60_000);

afterAll(async () => {
  await front?.cat.close();
  await proxy?.close();
  await remote?.cat.close();
});

const federated = (secret: string, extra: Record<string, unknown> = {}) =>
  federatedWarehouse('fed', remoteRoot, { uri: proxy.url, clientId: remoteCreds.client_id, clientSecret: secret }, extra);

describe('creating a federated warehouse', () => {
  it('tests the connection: wrong credentials are a 400 that names the problem, never the secret', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', federated('wrong-secret-value-xyz'));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('refused the client credentials');
    expect(JSON.stringify(res.body)).not.toContain('wrong-secret-value-xyz');
  });

  it('refuses a remote that cannot be reached, with a 400 saying so', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', {
      ...federated(remoteCreds.client_secret),
      federation: { kind: 'iceberg-rest', uri: 'http://127.0.0.1:9', 'client-id': remoteCreds.client_id, 'timeout-ms': 500 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('did not pass the connection test');
  });

  it("is a platform administrator's choice only", async () => {
    const tenantAdmin = await front.cat.lakegate.principals.create('acme-admin', ['admin'], {}, 'acme');
    const send = bearerSender(front.cat.lakegate.app, await tokenOf(front.cat.lakegate.app, tenantAdmin.clientId, tenantAdmin.clientSecret));
    const res = await send('POST', '/management/v1/warehouses', { ...federated(remoteCreds.client_secret), name: 'fed-acme', tenant: 'acme' });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error.message).toContain('platform administrator');
  });

  it('stores the credential sealed: the answer shows whether one is set, never the secret', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', federated(remoteCreds.client_secret));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.federation).toMatchObject({
      kind: 'iceberg-rest',
      uri: proxy.url,
      warehouse: 'default',
      'client-id': remoteCreds.client_id,
      'has-secret': true,
    });
    const listed = await front.admin('GET', '/management/v1/warehouses');
    expect(JSON.stringify(listed.body)).not.toContain(remoteCreds.client_secret);
    expect(JSON.stringify(res.body)).not.toContain(remoteCreds.client_secret);
  });
});

describe('pass-through', () => {
  it('creates namespaces and tables at the remote', async () => {
    expect((await front.admin('POST', `${FED}/namespaces`, { namespace: ['sales'] })).status).toBe(200);
    expect((await remoteAdmin('GET', `${REMOTE}/namespaces/sales`)).status).toBe(200);
    const created = await front.admin('POST', `${FED}/namespaces/sales/tables`, { name: 'orders', schema: simpleSchema });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const atRemote = await remoteAdmin('GET', `${REMOTE}/namespaces/sales/tables/orders`);
    expect(atRemote.status).toBe(200);
    expect(atRemote.body['metadata-location']).toBe(created.body['metadata-location']);
    expect(atRemote.body.metadata['table-uuid']).toBe(created.body.metadata['table-uuid']);
  });

  it('sees what was created at the remote directly: namespaces, tables, and their changes on the next load', async () => {
    expect((await remoteAdmin('POST', `${REMOTE}/namespaces`, { namespace: ['direct'] })).status).toBe(200);
    expect((await remoteAdmin('POST', `${REMOTE}/namespaces/direct/tables`, { name: 'events', schema: simpleSchema })).status).toBe(200);
    const namespaces = await front.admin('GET', `${FED}/namespaces`);
    expect(namespaces.body.namespaces).toEqual(expect.arrayContaining([['sales'], ['direct']]));
    const tables = await front.admin('GET', `${FED}/namespaces/direct/tables`);
    expect(tables.body.identifiers).toEqual([{ namespace: ['direct'], name: 'events' }]);
    expect((await remoteAdmin('POST', `${REMOTE}/namespaces/direct/tables/events`, setProps({ 'changed-at': 'remote' }))).status).toBe(200);
    const loaded = await front.admin('GET', `${FED}/namespaces/direct/tables/events`);
    expect(loaded.status).toBe(200);
    expect(loaded.body.metadata.properties['changed-at']).toBe('remote');
  });

  it("commits as the remote's own commits: concurrent writers direct and through Lakegate all survive", async () => {
    const uuid = (await remoteAdmin('GET', `${REMOTE}/namespaces/sales/tables/orders`)).body.metadata['table-uuid'];
    const write = async (send: Send, prefix: string, key: string) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await send('POST', `${prefix}/namespaces/sales/tables/orders`, setProps({ [key]: 'x' }, [{ type: 'assert-table-uuid', uuid }]));
        if (res.status === 200) return;
        expect(res.status, JSON.stringify(res.body)).toBe(409);
      }
      throw new Error(`${key} never committed`);
    };
    const keys: string[] = [];
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 8; i++) {
      keys.push(`direct-${i}`, `lakegate-${i}`);
      writes.push(write(remoteAdmin, REMOTE, `direct-${i}`), write(front.admin, FED, `lakegate-${i}`));
    }
    await Promise.all(writes);
    const atRemote = (await remoteAdmin('GET', `${REMOTE}/namespaces/sales/tables/orders`)).body.metadata.properties;
    const throughLakegate = (await front.admin('GET', `${FED}/namespaces/sales/tables/orders`)).body.metadata.properties;
    for (const key of keys) {
      expect(atRemote[key], key).toBe('x');
      expect(throughLakegate[key], key).toBe('x');
    }
  });

  it("answers a stale requirement with the remote's conflict (409)", async () => {
    const res = await front.admin(
      'POST',
      `${FED}/namespaces/sales/tables/orders`,
      setProps({ late: 'x' }, [{ type: 'assert-current-schema-id', 'current-schema-id': 42 }]),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error.type).toBe('CommitFailedException');
  });

  it('denies by default: a principal without grants sees nothing; a reader reads', async () => {
    const p = await front.cat.lakegate.principals.create('nobody');
    const nobody = { send: bearerSender(front.cat.lakegate.app, await tokenOf(front.cat.lakegate.app, p.clientId, p.clientSecret)) };
    const listed = await nobody.send('GET', `${FED}/namespaces`);
    expect(listed.status === 403 || (listed.status === 200 && listed.body.namespaces.length === 0), JSON.stringify(listed.body)).toBe(true);
    expect((await nobody.send('GET', `${FED}/namespaces/sales/tables/orders`)).status).toBe(403);
    expect((await nobody.send('POST', `${FED}/namespaces/sales/tables/orders`, setProps({ intruder: 'x' }))).status).toBe(403);
    const reader = await front.principal('reader', READ_ONLY, { type: 'warehouse', warehouse: 'fed' });
    expect((await reader.send('GET', `${FED}/namespaces/sales/tables/orders`)).status).toBe(200);
    expect((await reader.send('POST', `${FED}/namespaces/sales/tables/orders`, setProps({ reader: 'x' }))).status).toBe(403);
    expect((await remoteAdmin('GET', `${REMOTE}/namespaces/sales/tables/orders`)).body.metadata.properties.reader).toBeUndefined();
  });

  it('refuses what it does not pass through yet, instead of doing it locally: views, renames, register, purge', async () => {
    const refusals = [
      await front.admin('POST', `${FED}/namespaces/sales/views`, sqlView('v', ['sales'], 'select 1', { timestampMs: Date.now() })),
      await front.admin('POST', `${FED}/tables/rename`, {
        source: { namespace: ['sales'], name: 'orders' },
        destination: { namespace: ['sales'], name: 'orders2' },
      }),
      await front.admin('POST', `${FED}/namespaces/sales/register`, { name: 'r', 'metadata-location': `${remoteRoot}/x/metadata/00000.metadata.json` }),
      await front.admin('DELETE', `${FED}/namespaces/sales/tables/orders?purgeRequested=true`),
    ];
    for (const res of refusals) {
      expect(res.status, JSON.stringify(res.body)).toBe(406);
      expect(res.body.error.message).toContain('federated');
    }
    expect((await remoteAdmin('GET', `${REMOTE}/namespaces/sales/tables/orders`)).status).toBe(200);
  });

  it('drops at the remote; a table dropped at the remote is a 404 here', async () => {
    expect((await front.admin('POST', `${FED}/namespaces/sales/tables`, { name: 'scratch', schema: simpleSchema })).status).toBe(200);
    expect((await front.admin('DELETE', `${FED}/namespaces/sales/tables/scratch`)).status).toBe(204);
    expect((await remoteAdmin('GET', `${REMOTE}/namespaces/sales/tables/scratch`)).status).toBe(404);
    expect((await remoteAdmin('DELETE', `${REMOTE}/namespaces/direct/tables/events`)).status).toBe(204);
    expect((await front.admin('GET', `${FED}/namespaces/direct/tables/events`)).status).toBe(404);
    expect((await front.admin('GET', `${FED}/namespaces/direct/tables`)).body.identifiers).toEqual([]);
  });
});

describe('a failing remote', () => {
  const load = () => front.admin('GET', `${FED}/namespaces/sales/tables/orders`);

  it('down: 503 with Retry-After, then recovery', async () => {
    proxy.mode = 'down';
    const res = await load();
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    // The warehouse's status says so in the error model (a 200: the check itself worked), the message kept.
    const status = await front.admin('GET', '/management/v1/warehouses/fed/federation/status');
    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(status.body).toMatchObject({ ok: false, error: { type: 'ServiceUnavailableException', code: 503 } });
    expect(status.body.error.message).toMatch(/^The remote catalog is unavailable: /);
    proxy.mode = 'up';
    expect((await load()).status).toBe(200);
    expect((await front.admin('GET', '/management/v1/warehouses/fed/federation/status')).body.ok).toBe(true);
  });

  it("slow: 503 bounded by the warehouse's timeout, never a hung request", async () => {
    proxy.mode = 'slow';
    const started = Date.now();
    const res = await load();
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    proxy.mode = 'up';
    expect((await load()).status).toBe(200);
  });

  it('an answer that is not valid Iceberg: 502 with the reason', async () => {
    proxy.mode = 'garbage';
    const res = await load();
    proxy.mode = 'up';
    expect(res.status, JSON.stringify(res.body)).toBe(502);
    expect(res.body.error.message).toContain('not valid Iceberg table metadata');
  });

  it("a metadata location outside the warehouse's storage: refused", async () => {
    proxy.mode = 'elsewhere';
    const res = await load();
    proxy.mode = 'up';
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error.message).toContain("outside this warehouse's storage");
    expect((await load()).status).toBe(200);
  });

  it("refusing Lakegate's stored credentials later: 502 saying so, then recovery", async () => {
    proxy.mode = 'refuse';
    const res = await load();
    proxy.mode = 'up';
    expect(res.status, JSON.stringify(res.body)).toBe(502);
    expect(res.body.error.message).toContain("refused Lakegate's credentials");
    expect(JSON.stringify(res.body)).not.toContain(remoteCreds.client_secret);
    expect((await load()).status).toBe(200);
  });

  it("never logged the remote's secret", () => {
    expect(front.cat.logs()).not.toContain(remoteCreds.client_secret);
  });
});

describe('a freshness window (max-staleness-ms)', () => {
  it('serves a table loaded within the window from the mirror, without asking the remote; commits still go to the remote', async () => {
    const root = `${remoteRoot.replace(/\/+$/, '')}-second`;
    expect((await remoteAdmin('POST', '/management/v1/warehouses', { name: 'second', 'storage-root': root, 'storage-profile': { type: 'file' } })).status).toBe(
      201,
    );
    const created = await front.admin('POST', '/management/v1/warehouses', {
      ...federated(remoteCreds.client_secret),
      name: 'cached',
      'storage-root': root,
      federation: {
        kind: 'iceberg-rest',
        uri: proxy.url,
        warehouse: 'second',
        'client-id': remoteCreds.client_id,
        'timeout-ms': 4000,
        'max-staleness-ms': 60_000,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.federation['max-staleness-ms']).toBe(60_000);
    expect((await front.admin('POST', '/v1/cached/namespaces', { namespace: ['w'] })).status).toBe(200);
    expect((await front.admin('POST', '/v1/cached/namespaces/w/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    expect((await remoteAdmin('POST', '/v1/second/namespaces/w/tables/t', setProps({ direct: 'yes' }))).status).toBe(200);
    const stale = await front.admin('GET', '/v1/cached/namespaces/w/tables/t');
    expect(stale.status).toBe(200);
    expect(stale.body.metadata.properties.direct).toBeUndefined();
    proxy.mode = 'down';
    const whileDown = await front.admin('GET', '/v1/cached/namespaces/w/tables/t');
    const commitWhileDown = await front.admin('POST', '/v1/cached/namespaces/w/tables/t', setProps({ via: 'lakegate' }));
    proxy.mode = 'up';
    expect(whileDown.status).toBe(200);
    expect(commitWhileDown.status).toBe(503);
    const committed = await front.admin('POST', '/v1/cached/namespaces/w/tables/t', setProps({ via: 'lakegate' }));
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.metadata.properties).toMatchObject({ direct: 'yes', via: 'lakegate' });
  });
});
