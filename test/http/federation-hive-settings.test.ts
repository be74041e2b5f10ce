/**
 * Federation (issue 57), Hive Metastore kind: the management API's checks of a Hive remote's settings, in-process (the
 * connection and pass-through are proven against a real metastore in test/interop/remote-catalog-hive.test.ts and
 * test/interop/federation-hive.test.ts). Each bad body is a 400 naming the field; nothing is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithCallers, type CatalogWithCallers } from '../support/principals.js';

let front: CatalogWithCallers;

beforeAll(async () => {
  front = await startWithCallers();
}, 60_000);

afterAll(async () => {
  await front?.cat.close();
});

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
    ['a secret', body({}, { token: 'never-echoed-token' }), 'federation-secret does not apply to federation.kind hive'],
    ['an unknown field', body({ 'metastore-catalog': 'hive' }), 'federation'],
    ['a lock timeout without the lock', body({ 'lock-enabled': false, 'lock-timeout-ms': 1000 }), 'federation.lock-timeout-ms does not apply'],
    ['a lock timeout out of range', body({ 'lock-timeout-ms': 10 }), 'lock-timeout-ms'],
    ['a lock setting that is not a boolean', body({ 'lock-enabled': 'no' }), 'lock-enabled'],
  ])('refuses %s with a 400 naming it', async (_what, request, message) => {
    const res = await front.admin('POST', '/management/v1/warehouses', JSON.parse(JSON.stringify(request)));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(JSON.stringify(res.body)).not.toContain('never-echoed-token');
    expect((await front.admin('GET', '/management/v1/warehouses/hive-fed')).status).toBe(404);
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
});
