/**
 * An Idempotency-Key replays an outcome only to the caller it was decided for. A replay runs no authorization, so
 * another principal of the same tenant who learnt a key (from a log, a proxy, a shared client) must not get the
 * table metadata or the storage credentials of the first request: it is refused as a key used for a different
 * request, and nothing runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { simpleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { clientToken } from '../support/oauth.js';

let cat: TestCatalog;
let admin: Send;

async function principal(name: string): Promise<{ id: string; send: Send; token: string }> {
  const p = await cat.lakegate.principals.create(name);
  const token = (await clientToken(cat.lakegate.app, p.clientId, p.clientSecret)).access_token;
  return { id: p.clientId, token, send: bearerSender(cat.lakegate.app, token) };
}
const ns = (levels: string[]) => ({ type: 'namespace' as const, warehouse: 'default', namespace: levels });
const post = (token: string, url: string, body: unknown, key: string) =>
  cat.lakegate.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
  });

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const a = cat.admin();
  admin = bearerSender(cat.lakegate.app, (await clientToken(cat.lakegate.app, a.client_id, a.client_secret)).access_token);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['idem_private'] })).status).toBe(200);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['idem_other'] })).status).toBe(200);
});
afterAll(async () => cat?.close());

describe('Idempotency-Key replays', () => {
  it("never hand one principal's outcome to another principal of the same tenant", async () => {
    const owner = await principal('idem-owner');
    const other = await principal('idem-other');
    await grantPrincipal(admin, owner.id, ['table:create', 'table:write-data'], ns(['idem_private']));
    // The other principal may create tables elsewhere, but holds nothing on idem_private.
    await grantPrincipal(admin, other.id, ['table:create', 'table:write-data'], ns(['idem_other']));
    const url = '/v1/default/namespaces/idem_private/tables';
    const key = '01936b2e-7c4d-7a10-9f3e-5b2c8d1e4f60';
    const created = await post(owner.token, url, { name: 'secret', schema: simpleSchema, properties: { owner: 'only-me' } }, key);
    expect(created.statusCode, created.body).toBe(200);
    // The owner's own retry is answered again, without running anything.
    const retry = await post(owner.token, url, { name: 'secret', schema: simpleSchema, properties: { owner: 'only-me' } }, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toBe(created.body);
    // Another principal with the same key and request: refused, and shown nothing of the first outcome.
    const stolen = await post(other.token, url, { name: 'secret', schema: simpleSchema }, key);
    expect(stolen.statusCode).toBe(400);
    expect(stolen.headers['idempotent-replayed']).toBeUndefined();
    expect(stolen.body).not.toContain('only-me');
    expect(stolen.body).not.toContain('metadata-location');
    // Without the key it is the plain authorization answer it always was.
    expect((await other.send('POST', url, { name: 'secret2', schema: simpleSchema })).status).toBe(403);
    // A commit's outcome likewise: the owner commits with a key, the other principal replays it in vain.
    const commitKey = '01936b2e-7c4d-7a10-9f3e-5b2c8d1e4f61';
    const commit = { requirements: [], updates: [{ action: 'set-properties', updates: { note: 'owner-commit' } }] };
    expect((await post(owner.token, `${url}/secret`, commit, commitKey)).statusCode).toBe(200);
    const replayed = await post(other.token, `${url}/secret`, commit, commitKey);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).not.toContain('owner-commit');
  });

  it("a key reused with another body is refused (400) and runs nothing: idem2 is not answered with idem1's 200", async () => {
    const a = cat.admin();
    const token = (await clientToken(cat.lakegate.app, a.client_id, a.client_secret)).access_token;
    const key = '01936b2e-7c4d-7a10-9f3e-5b2c8d1e4f62';
    expect((await post(token, '/v1/default/namespaces', { namespace: ['idem1'] }, key)).statusCode).toBe(200);
    const reused = await post(token, '/v1/default/namespaces', { namespace: ['idem2'] }, key);
    expect(reused.statusCode).toBe(400);
    expect(reused.json().error.type).toBe('BadRequestException');
    expect((await admin('GET', '/v1/default/namespaces/idem2')).status).toBe(404);
    // The same request again is still the first one's replay.
    const retry = await post(token, '/v1/default/namespaces', { namespace: ['idem1'] }, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('a 403 is not stored for the key: the retry after the grant creates the table', async () => {
    const late = await principal('idem-late');
    const url = '/v1/default/namespaces/idem_other/tables';
    const key = '01936b2e-7c4d-7a10-9f3e-5b2c8d1e4f63';
    const body = { name: 'late', schema: simpleSchema };
    expect((await post(late.token, url, body, key)).statusCode).toBe(403);
    await grantPrincipal(admin, late.id, ['table:create'], ns(['idem_other']));
    const retry = await post(late.token, url, body, key);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect((await admin('GET', `${url}/late`)).status).toBe(200);
  });
});
