/**
 * Text PostgreSQL cannot store as sent, in requests to the newest endpoints, on a catalog whose store is PostgreSQL
 * (Debian's package, scripts/peers/postgres.sh), in process with authentication. U+0000 in a role member, an explained
 * subject or group, a grant's role or a warehouse name (in a body or a path: maintenance, effective policy, Lance) was
 * a 500 ("invalid byte sequence for encoding UTF8: 0x00" from the driver); a lone UTF-16 surrogate in a member's name
 * was stored as U+FFFD. Each is now a 400 in the surface's model, and nothing is stored (persistence/storable-text.ts,
 * catalog/identifiers.ts isStorableText). The same requests on SQLite: test/http/hostile-newest.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { signInAdmin } from '../support/principals.js';

const cluster = usePostgresCluster('lakegate-pg-unstorable-');
let cat: TestCatalog;
let admin: Send;
const NS = { type: 'namespace', warehouse: 'default', namespace: ['db'] };

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_DATABASE: cluster.database('unstorable') }, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  expect((await admin('POST', '/management/v1/roles', { name: 'r' })).status).toBe(201);
}, 120_000);
afterAll(async () => cat?.close());

it('answers 400 for U+0000 or a lone surrogate wherever a name reaches the store, never a 500, and stores nothing', async () => {
  const explain = (subject: unknown, securable: unknown = NS) => admin('POST', '/management/v1/explain', { subject, privilege: 'table:read-data', securable });
  for (const name of ['a\u0000b', 'a\ud800b']) {
    const answers = [
      await admin('POST', '/management/v1/roles/r/members', { kind: 'user', name, issuer: 'asserted' }),
      await admin('POST', '/management/v1/roles/r/members', { kind: 'group', name, issuer: 'asserted' }),
      await explain({ kind: 'user', name, issuer: 'asserted' }),
      await explain({ kind: 'user', name: 'ann', issuer: 'asserted', groups: [name] }),
      await explain({ kind: 'principal', name }),
      await explain({ kind: 'principal', name: 'x' }, { type: 'warehouse', warehouse: name }),
      await admin('POST', '/management/v1/grants', { role: name, securable: NS, privilege: 'table:read-data' }),
    ];
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe(400);
    }
  }
  for (const path of [
    '/management/v1/warehouses/a%00b/namespaces/db/tables/t/maintenance',
    '/management/v1/warehouses/a%00b/namespaces/db/tables/t/effective-policy',
  ]) {
    const res = await admin('GET', path);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
  }
  const lance = await admin('POST', '/lance/a%00b/v1/table/db%24t/tags/list', {});
  expect(lance.status).toBe(400);
  expect(lance.body).toMatchObject({ code: 13 });
  expect((await admin('GET', '/management/v1/roles/r/members')).body.members).toEqual([]);
  // A name of another script, with a surrogate pair, is stored and listed as sent.
  expect((await admin('POST', '/management/v1/roles/r/members', { kind: 'user', name: 'a\ud83d\ude00数据', issuer: 'asserted' })).status).toBe(201);
  expect((await admin('GET', '/management/v1/roles/r/members')).body.members).toEqual([{ kind: 'user', name: 'a\ud83d\ude00数据', issuer: 'asserted' }]);
});
