/**
 * Federation (issue 57), Hive Metastore kind: the management API's checks of a Hive remote's settings, in-process (the
 * connection and pass-through are proven against a real metastore in test/interop/remote-catalog-hive.test.ts and
 * test/interop/federation-hive.test.ts). Each bad body is a 400 naming the field; nothing is created.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithCallers, type CatalogWithCallers } from '../support/principals.js';
import { tempDir } from '../support/temp.js';
import { makeCertificates, makeClientCertificate } from '../support/tls-certs.js';

let front: CatalogWithCallers;
/** A throwaway CA and client certificates made by openssl for this run (test/support/tls-certs.ts). */
const certDir = tempDir('lakegate-hive-settings-certs-');

beforeAll(async () => {
  front = await startWithCallers();
  makeCertificates(certDir.dir);
}, 60_000);

afterAll(async () => {
  await front?.cat.close();
  certDir.cleanup();
});

/** A CA certificate (public; its key was never kept): what federation.tls-ca takes. */
const CA = `-----BEGIN CERTIFICATE-----
MIIBwDCCAWegAwIBAgIUJbLKKhjQDn/vbnzCj48mcl9y4ZgwCgYIKoZIzj0EAwIw
NTEzMDEGA1UEAwwqTGFrZWdhdGUgdGVzdCBDQSAocHVibGljIGNlcnRpZmljYXRl
IG9ubHkpMCAXDTI2MTEyODA3MTczNFoYDzIxMjYxMTA0MDcxNzM0WjA1MTMwMQYD
VQQDDCpMYWtlZ2F0ZSB0ZXN0IENBIChwdWJsaWMgY2VydGlmaWNhdGUgb25seSkw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATCwKxWp8kW3zFBGqyxoY9hD7LYlJQw
S4II1gQcGKr86ohn0tJh9DXOj/7tWS4CyDZO7CCcOMNlyyQushvnlYMso1MwUTAd
BgNVHQ4EFgQUhQiXkG1hTEDlgrGr2ty+jg92XAowHwYDVR0jBBgwFoAUhQiXkG1h
TEDlgrGr2ty+jg92XAowDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE
AiBp1ZxUiw3q57wtjHbiXYQWFtgWeCJSERoP5tpBy5mHbgIgI+8Q1T/meVuMY0aJ
JrKsrgr2W2JZZ3KSBRqDe0bzvF0=
-----END CERTIFICATE-----
`;
/** Stands for a private key pasted by mistake: never echoed. */
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnever-echoed\n-----END PRIVATE KEY-----\n';

const body = (federation: Record<string, unknown>, secret?: Record<string, unknown>) => ({
  name: 'hive-fed',
  'storage-root': 'file:///tmp/lakegate-hive-settings',
  'storage-profile': { type: 'file' },
  // A closed loopback port: a body that passed the checks fails its connection test here.
  federation: { kind: 'hive', uri: 'thrift://127.0.0.1:9', 'timeout-ms': 500, ...federation },
  ...(secret === undefined ? {} : { 'federation-secret': secret }),
});

describe('a Hive Metastore federated warehouse', () => {
  it.each([
    ['no uri', body({ uri: undefined }), 'federation.uri is required for federation.kind hive'],
    ['an http uri', body({ uri: 'http://127.0.0.1:9083' }), 'thrift://host:port'],
    ['a thrift uri without a port', body({ uri: 'thrift://127.0.0.1' }), 'thrift://host:port'],
    ['a thrift uri with a path', body({ uri: 'thrift://127.0.0.1:9083/db' }), 'thrift://host:port'],
    ['a thrift uri with credentials', body({ uri: 'thrift://u:p@127.0.0.1:9083' }), 'thrift://host:port'],
    ['a Glue-only field', body({ region: 'us-east-1' }), 'federation.region does not apply to federation.kind hive'],
    ['a REST-only field', body({ warehouse: 'w' }), 'federation.warehouse does not apply to federation.kind hive'],
    ['a secret', body({}, { token: 'never-echoed-token' }), 'federation-secret.token does not apply to federation.kind hive'],
    ['an unknown field', body({ 'metastore-catalog': 'hive' }), 'federation'],
    ['a lock timeout without the lock', body({ 'lock-enabled': false, 'lock-timeout-ms': 1000 }), 'federation.lock-timeout-ms does not apply'],
    ['a lock timeout out of range', body({ 'lock-timeout-ms': 10 }), 'lock-timeout-ms'],
    ['a lock setting that is not a boolean', body({ 'lock-enabled': 'no' }), 'lock-enabled'],
    ['a CA without tls', body({ 'tls-ca': CA }), 'federation.tls-ca needs federation.tls true'],
    ['a CA with tls false', body({ tls: false, 'tls-ca': CA }), 'federation.tls-ca needs federation.tls true'],
    ['a server name without tls', body({ 'tls-server-name': 'hms.example' }), 'federation.tls-server-name needs federation.tls true'],
    ['a tls setting that is not a boolean', body({ tls: 'yes' }), 'tls'],
    ['a CA that is not PEM', body({ tls: true, 'tls-ca': 'not a certificate' }), 'federation.tls-ca must be one or more PEM certificates'],
    ['a CA bundle holding a private key', body({ tls: true, 'tls-ca': CA + KEY }), 'federation.tls-ca must be one or more PEM certificates'],
    ['a CA alone that is a private key', body({ tls: true, 'tls-ca': KEY }), 'federation.tls-ca must be one or more PEM certificates'],
    [
      'a CA whose certificate does not parse',
      body({ tls: true, 'tls-ca': CA.replace('MIIBwDCCAWeg', 'MIIBwDCCAWXX') }),
      'federation.tls-ca must be one or more PEM certificates (-----BEGIN CERTIFICATE-----): certificate 1 does not parse',
    ],
    ['a server name that is not a DNS name', body({ tls: true, 'tls-server-name': 'bad name!' }), 'federation.tls-server-name must be a DNS name'],
    ['a client certificate without tls', body({ 'tls-client-cert': CA }, { 'tls-client-key': KEY }), 'federation.tls-client-cert needs federation.tls true'],
    [
      'a client certificate holding a private key',
      body({ tls: true, 'tls-client-cert': CA + KEY }),
      'federation.tls-client-cert must be one or more PEM certificates (-----BEGIN CERTIFICATE-----): it holds something else besides certificates',
    ],
    ['a client key alone', body({ tls: true }, { 'tls-client-key': KEY }), 'federation-secret.tls-client-key needs federation.tls-client-cert'],
    ['a login of an unknown kind', body({ auth: 'ldap' }), 'auth'],
    [
      'a Kerberos principal without a Kerberos login',
      body({ 'kerberos-principal': 'hive/_HOST@EXAMPLE.COM' }),
      'federation.kerberos-principal needs federation.auth kerberos',
    ],
    [
      'a Kerberos principal that is not service/host',
      body({ auth: 'kerberos', 'kerberos-principal': 'hive@EXAMPLE.COM' }),
      'federation.kerberos-principal must be',
    ],
    [
      'a password with a Kerberos login',
      body({ auth: 'kerberos' }, { password: 'never-echoed-pw' }),
      'federation-secret.password needs federation.auth password',
    ],
    ['a user name with a Kerberos login', body({ auth: 'kerberos', username: 'u' }), 'federation.username needs federation.auth password'],
    ['a password login without a user name', body({ auth: 'password' }, { password: 'never-echoed-pw' }), 'federation.auth password needs federation.username'],
    ['a password login without a password', body({ auth: 'password', username: 'u' }), 'federation.auth password needs federation-secret.password'],
    ['a user name without a password login', body({ username: 'u' }), 'federation.username needs federation.auth password'],
    [
      'a password without a password login',
      body({ auth: 'none' }, { password: 'never-echoed-pw' }),
      'federation-secret.password needs federation.auth password',
    ],
    ['an empty user name', body({ auth: 'password', username: '' }, { password: 'never-echoed-pw' }), 'username'],
    ['an empty password', body({ auth: 'password', username: 'u' }, { password: '' }), 'password'],
    ['a user name with a NUL', body({ auth: 'password', username: 'u\0v' }, { password: 'never-echoed-pw' }), 'federation.username must not contain a NUL'],
    ['a password with a NUL', body({ auth: 'password', username: 'u' }, { password: 'never-echoed\0pw' }), 'federation-secret.password must not contain a NUL'],
  ])('refuses %s with a 400 naming it', async (_what, request, message) => {
    const res = await front.admin('POST', '/management/v1/warehouses', JSON.parse(JSON.stringify(request)));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(JSON.stringify(res.body)).not.toContain('never-echoed');
    expect((await front.admin('GET', '/management/v1/warehouses/hive-fed')).status).toBe(404);
  });

  it("takes a client certificate only with its key, the key PEM and the certificate's own, never echoed", async () => {
    const pair = makeClientCertificate(certDir.dir, 'lakegate', 'ca');
    const other = makeClientCertificate(certDir.dir, 'other', 'ca');
    const tls = (extra: Record<string, unknown>) => ({ tls: true, 'tls-ca': CA, ...extra });
    for (const [request, message, secret] of [
      [body(tls({ 'tls-client-cert': pair.cert })), 'federation.tls-client-cert needs its private key in federation-secret.tls-client-key', ''],
      [
        body(tls({ 'tls-client-cert': pair.cert }), { 'tls-client-key': 'never-echoed key text' }),
        'federation-secret.tls-client-key must be an unencrypted PEM private key',
        'never-echoed',
      ],
      [
        body(tls({ 'tls-client-cert': pair.cert }), { 'tls-client-key': other.key }),
        'federation-secret.tls-client-key is not the private key of federation.tls-client-cert',
        other.key.split('\n')[1]!,
      ],
      [
        { ...body({}), federation: { kind: 'glue', region: 'us-east-1' }, 'federation-secret': { 'tls-client-key': pair.key } },
        'federation-secret.tls-client-key does not apply to federation.kind glue',
        pair.key.split('\n')[1]!,
      ],
      [
        { ...body({}), federation: { kind: 'iceberg-rest', uri: 'https://127.0.0.1:9', 'tls-client-cert': pair.cert } },
        'federation.tls-client-cert does not apply to federation.kind iceberg-rest',
        '',
      ],
    ] as const) {
      const res = await front.admin('POST', '/management/v1/warehouses', request);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toContain(message);
      if (secret !== '') expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    // The pair passes every check: what stops it is the connection test (nothing listens on port 9).
    const passes = await front.admin('POST', '/management/v1/warehouses', body(tls({ 'tls-client-cert': pair.cert }), { 'tls-client-key': pair.key }));
    expect(passes.status, JSON.stringify(passes.body)).toBe(400);
    expect(passes.body.error.message).toContain('connection failed (ECONNREFUSED)');
    expect(JSON.stringify(passes.body)).not.toContain(pair.key.split('\n')[1]!);
  });

  it('tests the connection before storing: a metastore not listening is a 400 saying so, fast', async () => {
    const started = Date.now();
    const res = await front.admin('POST', '/management/v1/warehouses', body({}));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('did not pass the connection test');
    expect(res.body.error.message).toContain('The Hive metastore is unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await front.admin('GET', '/management/v1/warehouses/hive-fed')).status).toBe(404);
  });

  it('takes tls with a CA bundle and a server name: checked, then the connection test (over TLS) says the metastore is not listening', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', body({ tls: true, 'tls-ca': `${CA}\n${CA}`, 'tls-server-name': 'hms.example' }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('did not pass the connection test');
    expect(res.body.error.message).toContain('connection failed (ECONNREFUSED)');
    expect(res.body.error.message).not.toContain('handshake');
  });

  it('names a failed TLS handshake at the connection test when the metastore speaks plain Thrift (it drops the TLS hello)', async () => {
    // A plain HMS reads the ClientHello as a bad Thrift frame and closes the connection, as this server does.
    const plain = net.createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const port = (plain.address() as net.AddressInfo).port;
      const res = await front.admin('POST', '/management/v1/warehouses', body({ uri: `thrift://127.0.0.1:${port}`, tls: true, 'tls-ca': CA }));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toContain('the TLS handshake failed');
      expect(res.body.error.message).toContain('hive.metastore.use.SSL');
    } finally {
      plain.close();
    }
  });

  it('refuses the TLS settings on the other kinds', async () => {
    for (const federation of [
      { kind: 'glue', region: 'us-east-1', tls: true },
      { kind: 'iceberg-rest', uri: 'https://127.0.0.1:9', 'tls-ca': CA },
    ]) {
      const res = await front.admin('POST', '/management/v1/warehouses', { ...body({}), federation });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(/federation\.tls(-ca)? does not apply to federation\.kind (glue|iceberg-rest)/);
    }
  });

  it('refuses the login settings on the other kinds, never echoing the password', async () => {
    for (const [federation, secret, message] of [
      [{ kind: 'glue', region: 'us-east-1', auth: 'password', username: 'u' }, undefined, 'federation.auth does not apply to federation.kind glue'],
      [{ kind: 'iceberg-rest', uri: 'https://127.0.0.1:9', username: 'u' }, undefined, 'federation.username does not apply to federation.kind iceberg-rest'],
      [
        { kind: 'iceberg-rest', uri: 'https://127.0.0.1:9' },
        { password: 'never-echoed-pw' },
        'federation-secret.password does not apply to federation.kind iceberg-rest',
      ],
      [{ kind: 'glue', region: 'us-east-1' }, { password: 'never-echoed-pw' }, 'federation-secret.password does not apply to federation.kind glue'],
    ] as const) {
      const res = await front.admin('POST', '/management/v1/warehouses', { ...body({}), federation, ...(secret ? { 'federation-secret': secret } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toContain(message);
      expect(JSON.stringify(res.body)).not.toContain('never-echoed');
    }
  });

  it('a password login that passes the checks meets the connection test (nothing listens): the password is not echoed', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', body({ auth: 'password', username: 'lakegate' }, { password: 'never-echoed-pw' }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('connection failed (ECONNREFUSED)');
    expect(JSON.stringify(res.body)).not.toContain('never-echoed');
  });
});
