/**
 * Hostile connection settings for a federated warehouse (create, and PUT …/federation on one that works), in process
 * against a real remote Lakegate: a remote address carrying a secret outside its userinfo (a query token, a
 * signature, a fragment), spaces or control characters (which the URL parser drops, so the address connected to is
 * not the one stored), or a giant one, is a 400 that never echoes it; nothing is created, and the working settings
 * stay. Before the fix such an address went to the connection test and its 400 named it in full (the secret with it),
 * and one whose tab the parser dropped passed the test and was stored and shown as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federatedWarehouse, show, startFront, startRemoteLakegate, type RemoteLakegate } from '../support/federation.js';
import type { CatalogWithCallers } from '../support/principals.js';

let remote: RemoteLakegate;
/** A warehouse as the list shows it (undefined when there is none by that name). */
const warehouse = async (name: string) =>
  ((await front.admin('GET', '/management/v1/warehouses')).body.warehouses as Array<{ name: string; federation?: unknown }>).find((w) => w.name === name);
let front: CatalogWithCallers;
const SECRET = 'SEKRET-never-echoed';
const FEDERATION = '/management/v1/warehouses/fed/federation';

beforeAll(async () => {
  remote = await startRemoteLakegate();
  front = await startFront(remote, { warehouse: 'fed', namespace: 'sales' });
}, 60_000);
afterAll(async () => {
  await front?.cat.close();
  await remote?.cat.close();
});

/** Hostile remote addresses (built on the working one), and what the 400 says. */
const hostile = (): Array<[string, Record<string, unknown>, RegExp]> => [
  ['a token in the query', { uri: `${remote.url}/?token=${SECRET}` }, /must not carry a query or fragment/],
  ['an empty query', { uri: `${remote.url}/?` }, /must not carry a query or fragment/],
  ['a secret in the fragment', { uri: `${remote.url}/#${SECRET}` }, /must not carry a query or fragment/],
  ['a tab the URL parser drops', { uri: `${remote.url}\t` }, /must not contain spaces or control characters/],
  ['a newline', { uri: `${remote.url}/a\n${SECRET}` }, /must not contain spaces or control characters/],
  ['a space', { uri: `${remote.url}/ ${SECRET}` }, /must not contain spaces or control characters/],
  ['a giant address', { uri: `${remote.url}/${SECRET}${'a'.repeat(300_000)}` }, /must be at most 2048 characters/],
  ['a signed token endpoint', { 'oauth2-server-uri': `${remote.url}/v1/oauth/tokens?X-Amz-Signature=${SECRET}` }, /oauth2-server-uri must not carry a query/],
];

describe('a federated remote address', () => {
  it('is refused at creation (400, never echoed), and nothing is created', async () => {
    for (const [what, extra, message] of hostile()) {
      const body = federatedWarehouse(
        'hostile',
        remote.root,
        { uri: remote.url, clientId: remote.creds.client_id, clientSecret: remote.creds.client_secret },
        extra,
      );
      const res = await front.admin('POST', '/management/v1/warehouses', body);
      expect(res.status, `${what}: ${show(res.body).slice(0, 300)}`).toBe(400);
      expect(res.body.error.message, what).toMatch(message);
      expect(show(res.body), what).not.toContain(SECRET);
      expect(await warehouse('hostile'), what).toBeUndefined();
    }
  });

  it('is refused by PUT …/federation (400, never echoed), and the working settings stay', async () => {
    const before = (await warehouse('fed'))?.federation as { uri: string };
    expect(before.uri).toBe(remote.url);
    for (const [what, extra, message] of hostile()) {
      const federation = { kind: 'iceberg-rest', uri: remote.url, warehouse: 'default', 'client-id': remote.creds.client_id, 'timeout-ms': 4000, ...extra };
      const res = await front.admin('PUT', FEDERATION, { federation });
      expect(res.status, `${what}: ${show(res.body).slice(0, 300)}`).toBe(400);
      expect(res.body.error.message, what).toMatch(message);
      expect(show(res.body), what).not.toContain(SECRET);
    }
    expect((await warehouse('fed'))?.federation).toEqual(before);
    expect((await front.admin('GET', '/v1/fed/namespaces')).body.namespaces).toContainEqual(['sales']);
    expect(front.cat.logs()).not.toContain(SECRET);
  });

  it('is refused for the Glue kind too (its endpoint override)', async () => {
    const res = await front.admin('POST', '/management/v1/warehouses', {
      name: 'glued',
      'storage-root': remote.root,
      'storage-profile': { type: 'file' },
      federation: { kind: 'glue', region: 'us-east-1', uri: `http://127.0.0.1:9/?X-Amz-Security-Token=${SECRET}`, 'timeout-ms': 300 },
    });
    expect(res.status, show(res.body)).toBe(400);
    expect(res.body.error.message).toMatch(/must not carry a query or fragment/);
    expect(show(res.body)).not.toContain(SECRET);
  });
});
