/**
 * Federation (issue 57), AWS Glue kind: the management API's checks of a Glue remote's settings, in-process (the
 * connection and pass-through are proven against moto in test/interop/remote-catalog-glue.test.ts and
 * test/interop/federation-glue.test.ts). Each bad body is a 400 naming the field, never echoing the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithCallers, type CatalogWithCallers } from '../support/principals.js';

let front: CatalogWithCallers;
const SECRET = 'glue-secret-value-never-echoed';

beforeAll(async () => {
  front = await startWithCallers();
}, 60_000);

afterAll(async () => {
  await front?.cat.close();
});

const body = (federation: Record<string, unknown>, secret: Record<string, unknown> | null = { 'secret-access-key': SECRET }) => ({
  name: 'glue-fed',
  'storage-root': 'file:///tmp/lakegate-glue-settings',
  'storage-profile': { type: 'file' },
  // A closed loopback port: a body that passed the checks would fail its connection test here, never reach AWS.
  federation: { kind: 'glue', region: 'us-east-1', uri: 'http://127.0.0.1:9', 'access-key-id': 'AKIDTEST', 'timeout-ms': 500, ...federation },
  ...(secret === null ? {} : { 'federation-secret': secret }),
});

describe('a Glue federated warehouse', () => {
  it.each([
    ['no region', body({ region: undefined }), 'federation.region is required'],
    ['an access key id without its secret', body({}, null), 'go together'],
    ['a REST-only field', body({ 'client-id': 'x' }), 'federation.client-id does not apply to federation.kind glue'],
    ['a Hive-only field', body({ 'lock-enabled': false }), 'federation.lock-enabled does not apply to federation.kind glue'],
    ['a REST-only secret', body({}, { 'secret-access-key': SECRET, token: 't' }), 'federation-secret.token does not apply'],
    ['an endpoint with credentials in it', body({ uri: 'http://user:pw@127.0.0.1:9' }), 'must not carry credentials'],
    ['an unknown kind', body({ kind: 'unity' }), 'federation'],
  ])('refuses %s with a 400 naming it', async (_what, request, message) => {
    const res = await front.admin('POST', '/management/v1/warehouses', JSON.parse(JSON.stringify(request)));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });

  it('tests the connection before storing: Glue unreachable is a 400 saying so, and nothing is created', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', body({ uri: 'http://127.0.0.1:9' }));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain('did not pass the connection test');
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect((await front.admin('GET', '/management/v1/warehouses/glue-fed')).status).toBe(404);
  });
});
