/**
 * Federation (issue 57) to a Hive Metastore over TLS: Hive's standalone metastore 4.0.1 with hive.metastore.use.SSL on a
 * fresh self-signed key made by the JDK's keytool for this run (test/support/hive-metastore.ts `{ tls: true }`), a
 * Lakegate warehouse of kind hive with `federation.tls` and the metastore's certificate as `federation.tls-ca`. Proves:
 * namespaces, a table created, committed and loaded back through Lakegate over TLS (the pointer read back from HMS over
 * TLS); the connection test refusing, with a 400 that says why, a plain-TCP client, a CA that did not sign the
 * metastore's certificate and a server name the certificate does not carry; at run time, a metastore whose certificate
 * was replaced is a 502 naming TLS verification (never a 500), with nothing written, until the new CA is set.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { HmsClient, HmsTransportError } from '../../packages/server/src/federation/hive/hms-client.js';
import { tableParameters } from '../../packages/server/src/federation/hive/hive-structs.js';
import { asStruct, str, struct } from '../../packages/server/src/federation/hive/thrift-values.js';
import { makeKeystore, startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { appendUpdates, httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { runCli } from '../support/cli.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

let server: ServerProcess;
let send: Send;
let metastore: HiveMetastore;
let otherCa = '';
const other = tempDir('lakegate-hms-other-ca-');
let root = '';

beforeAll(async () => {
  metastore = await startHiveMetastore({ tls: true });
  // Another self-signed certificate (same subject and names): trusting it must not let the metastore's pass.
  otherCa = (await makeKeystore(other.dir, 'other')).pem;
  server = await startServer();
  send = httpSender(server.url, await server.token());
  root = `file://${server.dataDir}/hive-tls-warehouse`;
  const login = await cli('login', '--uri', server.url, '--warehouse', 'default', '--credential', `@${path.join(server.dataDir, 'admin-credentials.json')}`);
  expect(login.code, login.stderr).toBe(0);
}, 20 * 60_000);

/** The lakegate CLI, logged in as the server's admin. */
const cli = (...args: string[]) => runCli(other.dir, args);

afterAll(async () => {
  await server?.stop();
  await metastore?.destroy();
  other.cleanup();
}, 60_000);

const warehouse = (federation: Record<string, unknown>, name = 'hive-tls') => ({
  name,
  'storage-root': root,
  'storage-profile': { type: 'file' },
  federation: { kind: 'hive', uri: metastore.uri, 'timeout-ms': 15000, ...federation },
});

async function pointer(db: string, name: string): Promise<string | undefined> {
  const client = metastore.client();
  try {
    const found = await client.call('get_table_req', [
      [
        1,
        struct([
          [1, str(db)],
          [2, str(name)],
        ]),
      ],
    ]);
    return tableParameters(asStruct(asStruct(found)?.get(1))!).metadata_location;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

describe('a federated warehouse on a Hive Metastore served over TLS', () => {
  it('refuses, at the connection test, a plain-TCP client, another CA and a name the certificate does not carry', async () => {
    for (const [federation, reasons] of [
      [{}, ['did not pass the connection test', 'federation.tls']],
      [{ tls: true, 'tls-ca': otherCa }, ['did not pass the connection test', 'TLS verification', 'federation.tls-ca']],
      [{ tls: true, 'tls-ca': metastore.caPem, 'tls-server-name': 'metastore.example' }, ['TLS verification', 'ERR_TLS_CERT_ALTNAME_INVALID']],
      // Node's default roots do not hold a self-signed certificate.
      [{ tls: true }, ['TLS verification']],
    ] as const) {
      const refused = await send('POST', '/management/v1/warehouses', warehouse(federation, 'hive-tls-refused'));
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      for (const reason of reasons) expect(refused.body.error.message, JSON.stringify(federation)).toContain(reason);
      expect(JSON.stringify(refused.body)).not.toContain('BEGIN CERTIFICATE');
    }
    expect((await send('GET', '/management/v1/warehouses/hive-tls-refused')).status).toBe(404);
  });

  it('a plain Thrift client of the TLS metastore fails clearly, not by a timeout', async () => {
    const plain = new HmsClient('127.0.0.1', metastore.port, 20_000);
    try {
      const failed = await plain.call('get_all_databases', []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(HmsTransportError);
      // HMS's TLS socket answers the plain Thrift call with a TLS alert: recognized and named, not a timeout or a hang.
      expect((failed as HmsTransportError).kind).toBe('protocol');
      expect((failed as HmsTransportError).message).toContain('set federation.tls true');
    } finally {
      plain.close();
    }
  });

  it('is created with tls and the CA (shown: a certificate is public), and serves namespaces and tables over TLS', async () => {
    const created = await send('POST', '/management/v1/warehouses', warehouse({ tls: true, 'tls-ca': metastore.caPem, 'tls-server-name': 'localhost' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Stored normalized (keytool's PEM has CRLF line ends, as Java's MIME base64 writes them).
    const ca = metastore.caPem!.replace(/\r\n/g, '\n');
    expect(created.body.federation).toMatchObject({ kind: 'hive', tls: true, 'tls-ca': ca, 'tls-server-name': 'localhost', 'has-secret': false });

    expect((await send('POST', '/v1/hive-tls/namespaces', { namespace: ['tlsdb'] })).status).toBe(200);
    const listed = await send('GET', '/v1/hive-tls/namespaces');
    expect(listed.status).toBe(200);
    expect(listed.body.namespaces).toContainEqual(['tlsdb']);

    const table = await send('POST', '/v1/hive-tls/namespaces/tlsdb/tables', { name: 't', schema: simpleSchema });
    expect(table.status, stringifyJson(table.body)).toBe(200);
    const append = appendUpdates(table.body.metadata);
    const committed = await send('POST', '/v1/hive-tls/namespaces/tlsdb/tables/t', {
      requirements: [{ type: 'assert-table-uuid', uuid: table.body.metadata['table-uuid'] }],
      updates: append.updates,
    });
    expect(committed.status, stringifyJson(committed.body)).toBe(200);
    expect(await pointer('tlsdb', 't')).toBe(committed.body['metadata-location']);
    const loaded = await send('GET', '/v1/hive-tls/namespaces/tlsdb/tables/t');
    expect(loaded.status).toBe(200);
    expect(loaded.body['metadata-location']).toBe(committed.body['metadata-location']);
    expect(loaded.body.metadata['current-snapshot-id']).toBe(append.snapshotId);

    // The CLI: the CA from a PEM file (--federation-tls-ca sets tls and tls-ca); its text output counts the certificates.
    const caFile = path.join(other.dir, 'metastore-ca.pem');
    writeFileSync(caFile, metastore.caPem!);
    const federation = JSON.stringify({ kind: 'hive', uri: metastore.uri, 'timeout-ms': 15000 });
    const storage = ['--storage-root', `${root}-cli`, '--storage-profile', '{"type":"file"}'];
    const viaCli = await cli('admin', 'warehouse', 'create', 'hive-tls-cli', ...storage, '--federation', federation, '--federation-tls-ca', caFile, '--json');
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(JSON.parse(viaCli.stdout).federation).toMatchObject({ tls: true, 'tls-ca': ca });
    expect((await send('GET', '/v1/hive-tls-cli/namespaces')).body.namespaces).toContainEqual(['tlsdb']);
  });

  it('answers a replaced metastore certificate with a 502 naming TLS verification, writing nothing, until the new CA is set', async () => {
    const before = await pointer('tlsdb', 't');
    expect(before).toMatch(/\.metadata\.json$/);
    const renewed = await metastore.renewKey();

    const load = await send('GET', '/v1/hive-tls/namespaces/tlsdb/tables/t');
    expect(load.status, JSON.stringify(load.body)).toBe(502);
    expect(load.body.error.message).toContain('TLS verification');
    expect(JSON.stringify(load.body)).not.toMatch(/\bat .*\.js:\d+/);

    const create = await send('POST', '/v1/hive-tls/namespaces/tlsdb/tables', { name: 'untrusted', schema: simpleSchema });
    expect(create.status, JSON.stringify(create.body)).toBe(502);
    expect(create.body.error.message).toContain('TLS verification');
    // Nothing written anywhere in the warehouse's storage for it (Lakegate picks its location under the root).
    const written = readdirSync(fileURLToPath(root), { recursive: true }).map(String);
    expect(written.some((f) => f.includes('metadata.json'))).toBe(true);
    expect(written.filter((f) => f.includes('untrusted'))).toEqual([]);

    // The new certificate as the CA (the change is tested over TLS before it is stored), then all is served again.
    const update = await send('PUT', '/management/v1/warehouses/hive-tls/federation', {
      federation: { kind: 'hive', uri: metastore.uri, 'timeout-ms': 15000, tls: true, 'tls-ca': renewed },
    });
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    expect(await pointer('tlsdb', 'untrusted')).toBeUndefined();
    expect(await pointer('tlsdb', 't')).toBe(before);
    const again = await send('GET', '/v1/hive-tls/namespaces/tlsdb/tables/t');
    expect(again.status, stringifyJson(again.body)).toBe(200);
    expect(again.body['metadata-location']).toBe(before);

    // The CLI's rotation: --federation-tls-ca alone keeps the stored settings and replaces the CA bundle.
    const stale = await send('GET', '/v1/hive-tls-cli/namespaces');
    expect(stale.status, JSON.stringify(stale.body)).toBe(502);
    const caFile = path.join(other.dir, 'renewed-ca.pem');
    writeFileSync(caFile, renewed);
    const rotated = await cli('admin', 'warehouse', 'federation', 'hive-tls-cli', '--federation-tls-ca', caFile);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/tls-ca\s+1 PEM certificate\(s\)/);
    expect(rotated.stdout).toMatch(/timeout-ms\s+15000/);
    expect(rotated.stdout).not.toContain('BEGIN CERTIFICATE');
    expect((await send('GET', '/v1/hive-tls-cli/namespaces')).body.namespaces).toContainEqual(['tlsdb']);
  });
});
