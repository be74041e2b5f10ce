/**
 * Request strings that are the names of Object.prototype's members (`constructor`, `toString`, `__proto__`, …), sent
 * where a server looks a string up in a table: OAuth scopes at the token endpoint (parseScope, which every grant reads them by), a
 * partition transform. Each is an unknown name: a scope refused with OAuth's invalid_scope, never a 500; a transform
 * kept as Iceberg keeps one it does not know.
 *
 * Before, the token endpoint answered a 500 for `scope=constructor` (the alias table's lookup answered the Object
 * function, whose error message could not be written): the scope rows fail on the old code. The transform rows guard.
 */
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
