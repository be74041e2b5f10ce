/**
 * Request strings that are the names of Object.prototype's members (`constructor`, `toString`, `__proto__`, …), sent
 * where a server looks a string up in a table or copies it into a map: OAuth scopes at the token endpoint (parseScope, which every grant reads them by), a
 * partition transform. Each is an unknown name: a scope refused with OAuth's invalid_scope, never a 500; a transform
 * kept as Iceberg keeps one it does not know.
 *
 * A `__proto__` key in Lance CreateTable's JSON-encoded properties (header or query parameter) is refused as in a
 * JSON body (400 code 13).
 *
 * Before, the token endpoint answered a 500 for `scope=constructor` (the alias table's lookup answered the Object
 * function, whose error message could not be written), and CreateTable took the properties' `__proto__` key and lost
 * it (201 without it): those rows fail on the old code. The transform rows guard.
 */
import { Table, makeVector, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { basic, oauthPost } from '../support/oauth.js';
import { signInAdmin } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;

const KEYS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__', 'isPrototypeOf'];

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['keys'] })).status).toBe(200);
});
afterAll(async () => cat?.close());

describe('OAuth scopes named like object keys', () => {
  it.each(KEYS)('refuses scope %s with invalid_scope (400), alone and beside a known scope', async (scope) => {
    const { client_id, client_secret } = cat.admin();
    for (const requested of [scope, `catalog ${scope}`]) {
      const res = await oauthPost(cat.lakegate.app, { grant_type: 'client_credentials', scope: requested }, basic(client_id, client_secret));
      expect(res.status, stringifyJson(res.body)).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_scope', error_description: expect.stringContaining('unknown scope') });
    }
  });
});

describe('partition transforms named like object keys', () => {
  // Iceberg keeps a transform it does not know (a newer writer's) as unknown: such a name is stored as given, as
  // `nonsense` is, and never read as one of the known transforms.
  it.each([...KEYS, 'nonsense'])('stores transform %s as an unknown one, as written', async (transform) => {
    const res = await admin('POST', '/v1/default/namespaces/keys/tables', {
      name: `t_${transform.replace(/_/g, '')}`,
      schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: false }] },
      'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'p', transform }] },
    });
    expect(res.status, stringifyJson(res.body).slice(0, 300)).toBe(200);
    expect(res.body.metadata['partition-specs'][0].fields[0].transform).toBe(transform);
  });
});

describe("Lance CreateTable's JSON-encoded properties (header or query parameter)", () => {
  // Held to a JSON body's rule: no "__proto__" key. Before, the header's and the parameter's JSON took it, and the
  // property was lost on the way (assigned into a map, it set the map's prototype) while the table was created.
  it.each([
    ['the x-lance-table-properties header', (json: string) => ({ url: '', headers: { 'x-lance-table-properties': json } })],
    ['the properties query parameter', (json: string) => ({ url: `?properties=${encodeURIComponent(json)}`, headers: {} })],
  ])('refuses a "__proto__" key in %s with 400 code 13, creating nothing', async (_where, place) => {
    const { client_id, client_secret } = cat.admin();
    const token = (await oauthPost(cat.lakegate.app, { grant_type: 'client_credentials' }, basic(client_id, client_secret))).body.access_token as string;
    const name = `p${Math.random().toString(36).slice(2, 8)}`;
    const { url, headers } = place('{"__proto__":"x","owner":"dev"}');
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: `/lance/default/v1/table/keys%24${name}/create${url}`,
      payload: Buffer.from(tableToIPC(new Table({ id: makeVector(Int32Array.from([1])) }), 'stream')),
      headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${token}`, ...headers },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 13, error: expect.stringMatching(/__proto__/) });
    expect((await admin('POST', `/lance/default/v1/table/keys%24${name}/describe`, {})).status).toBe(404);
  });
});
