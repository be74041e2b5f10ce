/**
 * Federation (issue 57) to a kerberized Hive Metastore: an MIT KDC of its own realm for this file (test/support/kdc.ts,
 * Debian's krb5-kdc), Hive's standalone metastore 4.0.1 with hadoop.security.authentication=kerberos,
 * metastore.sasl.enabled and its keytab for hive/localhost (test/support/hive-metastore.ts `{ kerberos }`), and a
 * `lakegate serve` whose process holds a ticket of its own principal (KRB5CCNAME), talking SASL GSSAPI through the
 * optional `kerberos` package. Proves: a warehouse with `federation.auth` kerberos creates, commits and loads a table
 * (the pointer read back from HMS); the connection test refuses, with a 400 that says why, no login, a service
 * principal the KDC does not know and a server process without a ticket.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { tableParameters } from '../../packages/server/src/federation/hive/hive-structs.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { appendUpdates, httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { type Kdc, startKdc } from '../support/kdc.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let kdc: Kdc;
let metastore: HiveMetastore;
let server: ServerProcess;
let send: Send;
let serverCache = '';
let lakegateKeytab = '';
let root = '';

beforeAll(async () => {
  kdc = await startKdc();
  const hiveKeytab = path.join(kdc.dir, 'hive.keytab');
  lakegateKeytab = path.join(kdc.dir, 'lakegate.keytab');
  await kdc.keytab(`hive/localhost@${kdc.realm}`, hiveKeytab);
  await kdc.keytab(`lakegate@${kdc.realm}`, lakegateKeytab);
  // The test's own metastore clients log in as lakegate too (a cache of the test process).
  const testCache = path.join(kdc.dir, 'test.ccache');
  await kdc.kinit(`lakegate@${kdc.realm}`, lakegateKeytab, testCache);
  process.env.KRB5_CONFIG = kdc.krb5Conf;
  process.env.KRB5CCNAME = `FILE:${testCache}`;
  metastore = await startHiveMetastore({ kerberos: { principal: `hive/localhost@${kdc.realm}`, keytab: hiveKeytab, krb5Conf: kdc.krb5Conf } });
  serverCache = path.join(kdc.dir, 'server.ccache');
  await kdc.kinit(`lakegate@${kdc.realm}`, lakegateKeytab, serverCache);
  server = await startServer({ env: { KRB5_CONFIG: kdc.krb5Conf, KRB5CCNAME: `FILE:${serverCache}` } });
  send = httpSender(server.url, await server.token());
  root = `file://${server.dataDir}/hive-krb`;
}, 20 * 60_000);

afterAll(async () => {
  await server?.stop();
  await metastore?.destroy();
  await kdc?.stop();
}, 60_000);

const warehouse = (name: string, federation: Record<string, unknown>) => ({
  name,
  'storage-root': `${root}-${name}`,
  'storage-profile': { type: 'file' },
  federation: { kind: 'hive', uri: metastore.uri, 'timeout-ms': 15000, ...federation },
});

describe('a federated warehouse on a kerberized Hive Metastore (SASL GSSAPI)', () => {
  it('refuses, at the connection test, no login and a service principal the KDC does not know, saying why', async () => {
    for (const [federation, reasons] of [
      [{}, ['did not pass the connection test', 'federation.auth']],
      [
        { auth: 'kerberos', 'kerberos-principal': `hive/elsewhere@${kdc.realm}` },
        ['did not pass the connection test', 'Lakegate could not log in to the Hive metastore', 'federation.kerberos-principal (hive/elsewhere)'],
      ],
      [{ auth: 'kerberos', 'kerberos-principal': 'not a principal' }, ['federation.kerberos-principal must be']],
      [{ 'kerberos-principal': `hive/localhost@${kdc.realm}` }, ['federation.kerberos-principal needs federation.auth kerberos']],
    ] as const) {
      const refused = await send('POST', '/management/v1/warehouses', warehouse('krb-refused', federation));
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      for (const reason of reasons) expect(refused.body.error.message).toContain(reason);
    }
    expect((await send('GET', '/management/v1/warehouses/krb-refused')).status).toBe(404);
  });

  it('with the server’s ticket, creates, commits and loads a table through the metastore', async () => {
    const created = await send(
      'POST',
      '/management/v1/warehouses',
      warehouse('krb', { auth: 'kerberos', 'kerberos-principal': `hive/localhost@${kdc.realm}` }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.federation).toMatchObject({ kind: 'hive', auth: 'kerberos', 'kerberos-principal': `hive/localhost@${kdc.realm}`, 'has-secret': false });

    expect((await send('POST', '/v1/krb/namespaces', { namespace: ['krbdb'] })).status).toBe(200);
    expect((await send('GET', '/v1/krb/namespaces')).body.namespaces).toContainEqual(['krbdb']);
    const table = await send('POST', '/v1/krb/namespaces/krbdb/tables', { name: 't', schema: simpleSchema });
    expect(table.status, stringifyJson(table.body)).toBe(200);
    const append = appendUpdates(table.body.metadata);
    const committed = await send('POST', '/v1/krb/namespaces/krbdb/tables/t', {
      requirements: [{ type: 'assert-table-uuid', uuid: table.body.metadata['table-uuid'] }],
      updates: append.updates,
    });
    expect(committed.status, stringifyJson(committed.body)).toBe(200);
    expect(tableParameters(await metastore.table('krbdb', 't')).metadata_location).toBe(committed.body['metadata-location']);
    const loaded = await send('GET', '/v1/krb/namespaces/krbdb/tables/t');
    expect(loaded.status).toBe(200);
    expect(loaded.body.metadata['current-snapshot-id']).toBe(append.snapshotId);
  });

  it('refuses a warehouse when the server process has no ticket, naming its Kerberos credentials; works again once it has one', async () => {
    rmSync(serverCache);
    const refused = await send('POST', '/management/v1/warehouses', warehouse('krb-noticket', { auth: 'kerberos', 'kerberos-principal': 'hive/localhost' }));
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.message).toContain('Lakegate could not log in to the Hive metastore');
    expect(refused.body.error.message).toContain('KRB5CCNAME');
    await kdc.kinit(`lakegate@${kdc.realm}`, lakegateKeytab, serverCache);
    const created = await send('POST', '/management/v1/warehouses', warehouse('krb-noticket', { auth: 'kerberos', 'kerberos-principal': 'hive/localhost' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await send('GET', '/v1/krb-noticket/namespaces')).body.namespaces).toContainEqual(['krbdb']);
  });
});
