/**
 * Names holding "/" (issue 42 item 6): namespace levels, table and view names may contain it on the Iceberg surface,
 * sent %2F-encoded in path segments (the router matches before it decodes, so %2F never splits a path), stored as
 * given, listed and paged, and placed in a location segment of their own (issue 52: unreserved characters only, a
 * table's slug and uuid `a_b-<uuid>`, a namespace's one-to-one `_a_2Fb`; never a directory `a/b`).
 * Warehouse and role names, and the Lance surface (its clients decode a location), keep "/" refused.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogForFile } from '../support/file-catalog.js';
import { sqlView } from '../support/iceberg-http.js';

const file = catalogForFile();

const inject = file.inject;
const schema = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: false }] };
const enc = encodeURIComponent;
const ns = (...levels: string[]) => levels.map(enc).join('%1F');

describe('names holding "/" on the Iceberg surface', () => {
  it('creates, loads, lists, renames and drops a namespace and a table named with "/"', async () => {
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['new/db'] })).statusCode).toBe(200);
    expect((await inject('HEAD', `/v1/default/namespaces/${ns('new/db')}`)).statusCode).toBe(204);
    // Not the namespace "new": %2F is part of the one segment, not a path separator.
    expect((await inject('HEAD', '/v1/default/namespaces/new')).statusCode).toBe(404);
    expect((await inject('GET', `/v1/default/namespaces/${ns('new/db')}`)).json().namespace).toEqual(['new/db']);
    expect((await inject('GET', '/v1/default/namespaces')).json().namespaces).toContainEqual(['new/db']);
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['new/db', 'child/x'] })).statusCode).toBe(200);
    expect((await inject('GET', `/v1/default/namespaces?parent=${ns('new/db')}`)).json().namespaces).toEqual([['new/db', 'child/x']]);

    const created = await inject('POST', `/v1/default/namespaces/${ns('new/db')}/tables`, { name: 'tab/le', schema });
    expect(created.statusCode).toBe(200);
    const location = created.json().metadata.location as string;
    // One segment per name (and the catalog's unique suffix): _new_2Fdb/tab_le-<uuid>, not new/db/tab/le.
    expect(location.startsWith(`file://${file.cat.dataDir}/warehouse/_new_2Fdb/tab_le-`)).toBe(true);
    expect(location.slice(`file://${file.cat.dataDir}/warehouse/`.length)).toMatch(/^_new_2Fdb\/tab_le-[0-9a-f]{32}$/);
    // Its metadata file lies in one directory named tab_le-<uuid> inside one named _new_2Fdb.
    expect(existsSync(path.join(file.cat.dataDir, 'warehouse', '_new_2Fdb', location.split('/').at(-1)!, 'metadata'))).toBe(true);
    expect(existsSync(path.join(file.cat.dataDir, 'warehouse', 'new'))).toBe(false);

    const loaded = await inject('GET', `/v1/default/namespaces/${ns('new/db')}/tables/${enc('tab/le')}`);
    expect(loaded.statusCode).toBe(200);
    expect(loaded.json().metadata.location).toBe(location);
    expect((await inject('HEAD', `/v1/default/namespaces/${ns('new/db')}/tables/tab`)).statusCode).toBe(404);
    expect((await inject('GET', `/v1/default/namespaces/${ns('new/db')}/tables`)).json().identifiers).toEqual([{ namespace: ['new/db'], name: 'tab/le' }]);

    const renamed = await inject('POST', '/v1/default/tables/rename', {
      source: { namespace: ['new/db'], name: 'tab/le' },
      destination: { namespace: ['new/db', 'child/x'], name: 'ta/b/le2' },
    });
    expect(renamed.statusCode).toBe(204);
    expect((await inject('HEAD', `/v1/default/namespaces/${ns('new/db', 'child/x')}/tables/${enc('ta/b/le2')}`)).statusCode).toBe(204);
    expect((await inject('DELETE', `/v1/default/namespaces/${ns('new/db', 'child/x')}/tables/${enc('ta/b/le2')}?purgeRequested=true`)).statusCode).toBe(204);
    expect((await inject('DELETE', `/v1/default/namespaces/${ns('new/db', 'child/x')}`)).statusCode).toBe(204);
    expect((await inject('DELETE', `/v1/default/namespaces/${ns('new/db')}`)).statusCode).toBe(204);
    expect((await inject('HEAD', `/v1/default/namespaces/${ns('new/db')}`)).statusCode).toBe(404);
  });

  it('gives "n"."a/b" and "n.a"."b" (and "n"."a%2Fb") locations apart: none inside another', async () => {
    await inject('POST', '/v1/default/namespaces', { namespace: ['n'] });
    await inject('POST', '/v1/default/namespaces', { namespace: ['n', 'a'] });
    const slash = (await inject('POST', `/v1/default/namespaces/n/tables`, { name: 'a/b', schema })).json().metadata.location as string;
    const nested = (await inject('POST', `/v1/default/namespaces/${ns('n', 'a')}/tables`, { name: 'b', schema })).json().metadata.location as string;
    const percent = (await inject('POST', `/v1/default/namespaces/n/tables`, { name: 'a%2Fb', schema })).json().metadata.location as string;
    expect(slash).toMatch(/\/warehouse\/n\/a_b-[0-9a-f]{32}$/);
    expect(nested).toMatch(/\/warehouse\/n\/a\/b-[0-9a-f]{32}$/);
    expect(percent).toMatch(/\/warehouse\/n\/a_2Fb-[0-9a-f]{32}$/);
    for (const [x, y] of [
      [slash, nested],
      [slash, percent],
      [nested, percent],
    ] as const) {
      expect(x.startsWith(`${y}/`) || y.startsWith(`${x}/`) || x === y).toBe(false);
    }
    // A table named with "/" cannot take another's location by asking for its decoded form either.
    const taken = await inject('POST', '/v1/default/namespaces/n/tables', { name: 'other', schema, location: nested });
    expect(taken.statusCode).toBe(400);
  });

  it('pages through names holding "/" with page tokens', async () => {
    await inject('POST', '/v1/default/namespaces', { namespace: ['paged'] });
    const names = ['p/1', 'p/2', 'p/3', 'p/4', 'p/5'];
    for (const name of names) expect((await inject('POST', '/v1/default/namespaces/paged/tables', { name, schema })).statusCode).toBe(200);
    const seen: string[] = [];
    let token = '';
    do {
      const body = (await inject('GET', `/v1/default/namespaces/paged/tables?pageSize=2&pageToken=${enc(token)}`)).json();
      seen.push(...body.identifiers.map((i: { name: string }) => i.name));
      token = body['next-page-token'] ?? '';
    } while (token);
    expect(seen).toEqual(names);
  });

  it('creates, loads, renames and drops a view named with "/"', async () => {
    await inject('POST', '/v1/default/namespaces', { namespace: ['v/ns'] });
    const view = sqlView('vi/ew', ['v/ns'], 'select 1 as id', { schema: { ...schema, 'schema-id': 0 }, properties: {} });
    expect((await inject('POST', `/v1/default/namespaces/${ns('v/ns')}/views`, view)).statusCode).toBe(200);
    expect((await inject('GET', `/v1/default/namespaces/${ns('v/ns')}/views/${enc('vi/ew')}`)).statusCode).toBe(200);
    expect((await inject('GET', `/v1/default/namespaces/${ns('v/ns')}/views`)).json().identifiers).toEqual([{ namespace: ['v/ns'], name: 'vi/ew' }]);
    expect(
      (await inject('POST', '/v1/default/views/rename', { source: { namespace: ['v/ns'], name: 'vi/ew' }, destination: { namespace: ['v/ns'], name: 'v/2' } }))
        .statusCode,
    ).toBe(204);
    expect((await inject('DELETE', `/v1/default/namespaces/${ns('v/ns')}/views/${enc('v/2')}`)).statusCode).toBe(204);
  });

  it('still refuses "\\\\" in names, and "/" in warehouse names', async () => {
    const back = await inject('POST', '/v1/default/namespaces', { namespace: ['a\\b'] });
    expect(back.statusCode).toBe(400);
    expect(back.json().error.message).toBe('namespace level 1 must not contain "\\"');
  });
});

describe('names holding "/" on the Lance surface', () => {
  it('are refused with the reason (Lance clients percent-decode a location)', async () => {
    for (const url of ['/lance/default/v1/namespace/a%2Fb/create', '/lance/default/v1/table/n%24a%2Fb/declare']) {
      const res = await inject('POST', url, {});
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatch(/must not contain "\/" on the Lance surface/);
    }
  });

  it('lists an Iceberg namespace holding "/" among the root namespace\'s children', async () => {
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['ice/berg'] })).statusCode).toBe(200);
    const listed = await inject('GET', '/lance/default/v1/namespace/%24/list');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().namespaces).toContain('ice/berg');
  });
});
