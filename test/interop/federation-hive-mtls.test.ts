/**
 * Federation (issue 57) to a Hive Metastore over mutual TLS. HMS 4.0.1 cannot require a client certificate itself: its
 * binary Thrift server's SSL socket is SecurityUtils.getServerSSLSocket, a TSSLTransportFactory server with a keystore
 * and no truststore, whose parameters keep clientAuth false; its HTTP mode's Jetty SslContextFactory.Server is given a
 * keystore only (no need/want client auth); no MetastoreConf setting reaches either. So mutual TLS is where deployments
 * put it, in a TLS front before the metastore: here Debian's HAProxy (test/support/tls-front.ts, `verify required`
 * against a client CA made by openssl for this run) before the real HMS 4.0.1 (plain Thrift behind it). Proves: the
 * connection test refuses, with a 400 that says why, no client certificate and one from another CA; with the
 * certificate (shown: public) and its key (federation-secret.tls-client-key: sealed, never answered, never logged)
 * namespaces and a table are created, committed and loaded through the front (the pointer read back from HMS); a
 * settings change keeps the stored key; removing the key while the certificate stays is a 400; at run time, a front
 * that no longer trusts Lakegate's certificate is a 502 naming it (never a 500), with nothing written, until a
 * certificate and key it trusts are set.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { tableParameters } from '../../packages/server/src/federation/hive/hive-structs.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { appendUpdates, httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { runCli } from '../support/cli.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';
import { type ClientCertificate, makeCertificates, makeClientCertificate, type TestCertificates } from '../support/tls-certs.js';
import { startMutualTlsFront, type TlsFront } from '../support/tls-front.js';

let server: ServerProcess;
let send: Send;
let metastore: HiveMetastore;
let front: TlsFront;
let certs: TestCertificates;
let client: ClientCertificate;
let stranger: ClientCertificate;
const dir = tempDir('lakegate-hms-mtls-');
let root = '';

beforeAll(async () => {
  metastore = await startHiveMetastore();
  const certDir = path.join(dir.dir, 'certs');
  mkdirSync(certDir);
  certs = makeCertificates(certDir);
  client = makeClientCertificate(certDir, 'lakegate', 'ca');
  // Signed by another CA, which the front does not trust.
  stranger = makeClientCertificate(certDir, 'stranger', 'other-ca');
  front = await startMutualTlsFront(certDir, certs.keystoreFile, certs.ca, metastore.port);
  server = await startServer();
  send = httpSender(server.url, await server.token());
  root = `file://${server.dataDir}/hive-mtls-warehouse`;
  const login = await runCli(dir.dir, [
    'login',
    '--uri',
    server.url,
    '--warehouse',
    'default',
    '--credential',
    `@${path.join(server.dataDir, 'admin-credentials.json')}`,
  ]);
  expect(login.code, login.stderr).toBe(0);
}, 20 * 60_000);

afterAll(async () => {
  await server?.stop();
  await front?.stop();
  await metastore?.destroy();
  dir.cleanup();
}, 60_000);

const uri = () => `thrift://127.0.0.1:${front.port}`;
const federation = (extra: Record<string, unknown> = {}) => ({ kind: 'hive', uri: uri(), 'timeout-ms': 15000, tls: true, 'tls-ca': certs.ca, ...extra });
const warehouse = (name: string, extra: Record<string, unknown> = {}, secret?: Record<string, unknown>) => ({
  name,
  'storage-root': root,
  'storage-profile': { type: 'file' },
  federation: federation(extra),
  ...(secret === undefined ? {} : { 'federation-secret': secret }),
});

/** The key's base64 body: it must appear in no answer and no log line. */
const keyBody = () => client.key.split('\n')[1]!;

describe('a federated warehouse on a Hive Metastore behind a TLS front that requires client certificates', () => {
  it('refuses, at the connection test, no client certificate and one from a CA the front does not trust', async () => {
    for (const [body, reasons] of [
      [warehouse('hive-mtls-refused'), ['did not pass the connection test', 'requires a client certificate', 'federation.tls-client-cert']],
      [
        warehouse('hive-mtls-refused', { 'tls-client-cert': stranger.cert }, { 'tls-client-key': stranger.key }),
        ['did not pass the connection test', "refused Lakegate's client certificate", 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
      ],
    ] as const) {
      const refused = await send('POST', '/management/v1/warehouses', body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      for (const reason of reasons) expect(refused.body.error.message).toContain(reason);
      expect(JSON.stringify(refused.body)).not.toContain('PRIVATE KEY');
    }
    expect((await send('GET', '/management/v1/warehouses/hive-mtls-refused')).status).toBe(404);
  });

  it('refuses a key that is not the certificate’s, without echoing it', async () => {
    const res = await send(
      'POST',
      '/management/v1/warehouses',
      warehouse('hive-mtls-refused', { 'tls-client-cert': client.cert }, { 'tls-client-key': stranger.key }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('federation-secret.tls-client-key is not the private key of federation.tls-client-cert');
    expect(JSON.stringify(res.body)).not.toContain(stranger.key.split('\n')[1]!);
  });

  it('with the certificate and its sealed key, serves namespaces and tables through the front; the key is never shown', async () => {
    const created = await send(
      'POST',
      '/management/v1/warehouses',
      warehouse('hive-mtls', { 'tls-client-cert': client.cert }, { 'tls-client-key': client.key }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.federation).toMatchObject({ kind: 'hive', tls: true, 'tls-client-cert': client.cert, 'has-secret': true });
    expect(JSON.stringify(created.body)).not.toContain(keyBody());
    const listed = await send('GET', '/management/v1/warehouses');
    expect(JSON.stringify(listed.body)).toContain('"has-secret":true');
    expect(JSON.stringify(listed.body)).not.toContain(keyBody());

    expect((await send('POST', '/v1/hive-mtls/namespaces', { namespace: ['mtlsdb'] })).status).toBe(200);
    expect((await send('GET', '/v1/hive-mtls/namespaces')).body.namespaces).toContainEqual(['mtlsdb']);
    const table = await send('POST', '/v1/hive-mtls/namespaces/mtlsdb/tables', { name: 't', schema: simpleSchema });
    expect(table.status, stringifyJson(table.body)).toBe(200);
    const append = appendUpdates(table.body.metadata);
    const committed = await send('POST', '/v1/hive-mtls/namespaces/mtlsdb/tables/t', {
      requirements: [{ type: 'assert-table-uuid', uuid: table.body.metadata['table-uuid'] }],
      updates: append.updates,
    });
    expect(committed.status, stringifyJson(committed.body)).toBe(200);
    // HMS itself (the test's plain client behind the front) holds the pointer Lakegate committed.
    expect(tableParameters(await metastore.table('mtlsdb', 't')).metadata_location).toBe(committed.body['metadata-location']);
    const loaded = await send('GET', '/v1/hive-mtls/namespaces/mtlsdb/tables/t');
    expect(loaded.status).toBe(200);
    expect(loaded.body.metadata['current-snapshot-id']).toBe(append.snapshotId);
    expect(server.output() + server.errorOutput()).not.toContain(keyBody());
  });

  it('keeps the stored key through a settings change; removing it while the certificate stays is a 400', async () => {
    const changed = await send('PUT', '/management/v1/warehouses/hive-mtls/federation', {
      federation: federation({ 'tls-client-cert': client.cert, 'timeout-ms': 20000 }),
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.federation).toMatchObject({ 'timeout-ms': 20000, 'has-secret': true });
    expect((await send('GET', '/v1/hive-mtls/namespaces/mtlsdb/tables/t')).status).toBe(200);

    const removed = await send('PUT', '/management/v1/warehouses/hive-mtls/federation', { 'remove-federation-secret': true });
    expect(removed.status, JSON.stringify(removed.body)).toBe(400);
    expect(removed.body.error.message).toContain('federation.tls-client-cert needs its private key in federation-secret.tls-client-key');
    expect((await send('GET', '/v1/hive-mtls/namespaces/mtlsdb/tables/t')).status).toBe(200);
  });

  it("answers a front that stopped trusting Lakegate's certificate with a 502 naming it, writing nothing, until a trusted pair is set", async () => {
    // The front again on its port, now trusting the other CA only (a rotated client CA).
    await front.stop();
    front = await startMutualTlsFront(path.join(dir.dir, 'certs'), certs.keystoreFile, certs.otherCa, metastore.port, front.port);
    const load = await send('GET', '/v1/hive-mtls/namespaces/mtlsdb/tables/t');
    expect(load.status, JSON.stringify(load.body)).toBe(502);
    expect(load.body.error.message).toContain("did not accept Lakegate's TLS client");
    expect(load.body.error.message).toContain('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    expect(JSON.stringify(load.body)).not.toMatch(/\bat .*\.js:\d+/);
    const create = await send('POST', '/v1/hive-mtls/namespaces/mtlsdb/tables', { name: 'refused', schema: simpleSchema });
    expect(create.status, JSON.stringify(create.body)).toBe(502);
    const written = readdirSync(fileURLToPath(root), { recursive: true }).map(String);
    expect(written.filter((f) => f.includes('refused'))).toEqual([]);

    // A certificate the front trusts, with its key, in one change through the CLI (the stored settings with the new
    // certificate; tested through the front before it is stored); the key is never printed.
    const certFile = path.join(dir.dir, 'rotated.pem');
    const keyFile = path.join(dir.dir, 'rotated.key');
    writeFileSync(certFile, stranger.cert);
    writeFileSync(keyFile, stranger.key);
    const rotated = await runCli(dir.dir, [
      'admin',
      'warehouse',
      'federation',
      'hive-mtls',
      '--federation-tls-client-cert',
      certFile,
      '--federation-tls-client-key',
      keyFile,
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/tls-client-cert\s+1 PEM certificate\(s\)/);
    expect(rotated.stdout + rotated.stderr).not.toContain(stranger.key.split('\n')[1]!);
    const again = await send('GET', '/v1/hive-mtls/namespaces/mtlsdb/tables/t');
    expect(again.status, stringifyJson(again.body)).toBe(200);
    expect(again.body.metadata['current-snapshot-id']).toBeDefined();
  });
});
