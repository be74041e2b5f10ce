/**
 * Federation (issue 57) to a Hive Metastore that takes password logins only: Hive's standalone metastore 4.0.1 with
 * metastore.authentication=CONFIG (its configured user and password; metastore.execute.setugi=false), which speaks
 * libthrift's SASL transport with the PLAIN mechanism (test/support/hive-metastore.ts `{ login }`). A Lakegate warehouse
 * of kind hive with `federation.auth` password, `federation.username` and the sealed `federation-secret.password`.
 * Proves: the connection test refusing, with a 400 that says why, no login and a wrong password (never echoed);
 * namespaces, a table created, committed and loaded back through Lakegate (the pointer read back from HMS); the same
 * login inside TLS (through a TLS front requiring a client certificate, so the password and the client key are sealed
 * together); a password rotated at the metastore is a 502 naming the settings at run time (never a 500, nothing
 * written) until the new password is set through the CLI; the password is in no answer, no CLI output and no log line.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { tableParameters } from '../../packages/server/src/federation/hive/hive-structs.js';
import { runCli } from '../support/cli.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { appendUpdates, httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';
import { type ClientCertificate, makeCertificates, makeClientCertificate, type TestCertificates } from '../support/tls-certs.js';
import { startMutualTlsFront, type TlsFront } from '../support/tls-front.js';

const USER = 'lakegate';
const password = () => `pw-${randomBytes(12).toString('hex')}`;
let current = password();
const old = current;
const wrong = password();

let server: ServerProcess;
let send: Send;
let metastore: HiveMetastore;
let front: TlsFront;
let certs: TestCertificates;
let client: ClientCertificate;
const dir = tempDir('lakegate-hms-password-');
let root = '';

beforeAll(async () => {
  metastore = await startHiveMetastore({ login: { username: USER, password: current } });
  const certDir = path.join(dir.dir, 'certs');
  mkdirSync(certDir);
  certs = makeCertificates(certDir);
  client = makeClientCertificate(certDir, 'lakegate', 'ca');
  front = await startMutualTlsFront(certDir, certs.keystoreFile, certs.ca, metastore.port);
  server = await startServer();
  send = httpSender(server.url, await server.token());
  root = `file://${server.dataDir}/hive-password-warehouse`;
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

const federation = (extra: Record<string, unknown> = {}) => ({ kind: 'hive', uri: metastore.uri, 'timeout-ms': 15000, ...extra });
const warehouse = (name: string, extra: Record<string, unknown> = {}, secret?: Record<string, unknown>) => ({
  name,
  'storage-root': `${root}-${name}`,
  'storage-profile': { type: 'file' },
  federation: federation(extra),
  ...(secret === undefined ? {} : { 'federation-secret': secret }),
});
const login = { auth: 'password', username: USER };

/** No password, old or new or wrong, in any answer or log line. */
function neverShown(text: string): void {
  for (const secret of [old, current, wrong]) expect(text).not.toContain(secret);
}

describe('a federated warehouse on a Hive Metastore that takes password logins (SASL PLAIN)', () => {
  it('refuses, at the connection test, no login and a wrong password, saying why and never echoing it', async () => {
    for (const [body, reasons] of [
      [warehouse('hive-pw-refused'), ['did not pass the connection test', 'federation.auth']],
      [
        warehouse('hive-pw-refused', login, { password: wrong }),
        ['did not pass the connection test', "refused Lakegate's PLAIN login", 'Error validating the login', 'federation-secret.password'],
      ],
      [warehouse('hive-pw-refused', { auth: 'password' }, { password: current }), ['federation.auth password needs federation.username']],
      [warehouse('hive-pw-refused', login), ['federation.auth password needs federation-secret.password']],
      [warehouse('hive-pw-refused', {}, { password: current }), ['federation-secret.password needs federation.auth password']],
    ] as const) {
      const refused = await send('POST', '/management/v1/warehouses', body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      for (const reason of reasons) expect(refused.body.error.message).toContain(reason);
      neverShown(JSON.stringify(refused.body));
    }
    expect((await send('GET', '/management/v1/warehouses/hive-pw-refused')).status).toBe(404);
  });

  it('with the sealed password, serves namespaces and tables; the password is never shown', async () => {
    const created = await send('POST', '/management/v1/warehouses', warehouse('hive-pw', login, { password: current }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.federation).toMatchObject({ kind: 'hive', auth: 'password', username: USER, 'has-secret': true });
    neverShown(JSON.stringify(created.body));
    neverShown(JSON.stringify((await send('GET', '/management/v1/warehouses')).body));

    expect((await send('POST', '/v1/hive-pw/namespaces', { namespace: ['pwdb'] })).status).toBe(200);
    expect((await send('GET', '/v1/hive-pw/namespaces')).body.namespaces).toContainEqual(['pwdb']);
    const table = await send('POST', '/v1/hive-pw/namespaces/pwdb/tables', { name: 't', schema: simpleSchema });
    expect(table.status, stringifyJson(table.body)).toBe(200);
    const append = appendUpdates(table.body.metadata);
    const committed = await send('POST', '/v1/hive-pw/namespaces/pwdb/tables/t', {
      requirements: [{ type: 'assert-table-uuid', uuid: table.body.metadata['table-uuid'] }],
      updates: append.updates,
    });
    expect(committed.status, stringifyJson(committed.body)).toBe(200);
    // HMS itself (the test's own client, logged in) holds the pointer Lakegate committed.
    expect(tableParameters(await metastore.table('pwdb', 't')).metadata_location).toBe(committed.body['metadata-location']);
    const loaded = await send('GET', '/v1/hive-pw/namespaces/pwdb/tables/t');
    expect(loaded.status).toBe(200);
    expect(loaded.body['metadata-location']).toBe(committed.body['metadata-location']);
    expect(loaded.body.metadata['current-snapshot-id']).toBe(append.snapshotId);
  });

  it('logs in inside TLS too: through a front requiring a client certificate, the key and the password sealed together', async () => {
    const tls = { ...login, uri: `thrift://127.0.0.1:${front.port}`, tls: true, 'tls-ca': certs.ca, 'tls-client-cert': client.cert };
    const refused = await send('POST', '/management/v1/warehouses', warehouse('hive-pw-tls', tls, { 'tls-client-key': client.key, password: wrong }));
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.message).toContain('Error validating the login');
    const created = await send('POST', '/management/v1/warehouses', warehouse('hive-pw-tls', tls, { 'tls-client-key': client.key, password: current }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.federation).toMatchObject({ tls: true, auth: 'password', username: USER, 'has-secret': true });
    expect((await send('GET', '/v1/hive-pw-tls/namespaces')).body.namespaces).toContainEqual(['pwdb']);
    // A table of its own (the other warehouse's table lies outside this one's storage).
    const table = await send('POST', '/v1/hive-pw-tls/namespaces/pwdb/tables', { name: 'over_tls', schema: simpleSchema });
    expect(table.status, stringifyJson(table.body)).toBe(200);
    expect(tableParameters(await metastore.table('pwdb', 'over_tls')).metadata_location).toBe(table.body['metadata-location']);
    const loaded = await send('GET', '/v1/hive-pw-tls/namespaces/pwdb/tables/over_tls');
    expect(loaded.status, stringifyJson(loaded.body)).toBe(200);
    expect(JSON.stringify(created.body)).not.toContain(client.key.split('\n')[1]!);
  });

  it('answers a password rotated at the metastore with a 502 naming the settings, writing nothing, until the CLI sets the new one', async () => {
    current = password();
    await metastore.changePassword(current);
    const load = await send('GET', '/v1/hive-pw/namespaces/pwdb/tables/t');
    expect(load.status, JSON.stringify(load.body)).toBe(502);
    expect(load.body.error.message).toContain("did not accept Lakegate's login");
    expect(load.body.error.message).toContain('federation-secret.password');
    expect(JSON.stringify(load.body)).not.toMatch(/\bat .*\.js:\d+/);
    const create = await send('POST', '/v1/hive-pw/namespaces/pwdb/tables', { name: 'refused', schema: simpleSchema });
    expect(create.status, JSON.stringify(create.body)).toBe(502);
    const written = readdirSync(fileURLToPath(`${root}-hive-pw`), { recursive: true }).map(String);
    expect(written.some((f) => f.includes('metadata.json'))).toBe(true);
    expect(written.filter((f) => f.includes('refused'))).toEqual([]);

    // The CLI: a wrong password is refused by the connection test (the stored one stays), the new one from a file works.
    const wrongFile = path.join(dir.dir, 'wrong-password');
    writeFileSync(wrongFile, `${wrong}\n`);
    const refused = await runCli(dir.dir, ['admin', 'warehouse', 'federation', 'hive-pw', '--federation-password', `@${wrongFile}`]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Error validating the login');
    const file = path.join(dir.dir, 'password');
    writeFileSync(file, `${current}\n`);
    const rotated = await runCli(dir.dir, ['admin', 'warehouse', 'federation', 'hive-pw', '--federation-username', USER, '--federation-password', `@${file}`]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/auth\s+password/);
    expect(rotated.stdout).toMatch(/username\s+lakegate/);
    neverShown(rotated.stdout + rotated.stderr + refused.stdout + refused.stderr);
    const again = await send('GET', '/v1/hive-pw/namespaces/pwdb/tables/t');
    expect(again.status, stringifyJson(again.body)).toBe(200);

    // The CLI's create: --federation-username and --federation-password (from stdin would do as well).
    const viaCli = await runCli(dir.dir, [
      'admin',
      'warehouse',
      'create',
      'hive-pw-cli',
      '--storage-root',
      `${root}-cli`,
      '--storage-profile',
      '{"type":"file"}',
      '--federation',
      JSON.stringify(federation()),
      '--federation-username',
      USER,
      '--federation-password',
      `@${file}`,
      '--json',
    ]);
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(JSON.parse(viaCli.stdout).federation).toMatchObject({ auth: 'password', username: USER, 'has-secret': true });
    neverShown(viaCli.stdout + viaCli.stderr);
    expect((await send('GET', '/v1/hive-pw-cli/namespaces')).body.namespaces).toContainEqual(['pwdb']);
    neverShown(server.output() + server.errorOutput());
  });
});
