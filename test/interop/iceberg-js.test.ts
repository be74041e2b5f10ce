/**
 * iceberg-js (npm), an independent TypeScript Iceberg REST client, against a
 * real Lakegate server process: namespaces, tables, commits, ETags, rename, drop.
 */
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let catalog: IcebergRestCatalog;

beforeAll(async () => {
  server = await startServer();
  // A bearer token from Lakegate's own issuer (client_credentials of the admin principal).
  catalog = new IcebergRestCatalog({ baseUrl: server.url, warehouse: 'default', auth: { type: 'bearer', token: await server.token() } });
});
afterAll(async () => server?.stop());

const schema = {
  type: 'struct' as const,
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'name', type: 'string', required: false },
    { id: 3, name: 'ts', type: 'timestamptz', required: false },
  ],
};

describe('iceberg-js 1.0 against Lakegate', () => {
  it('is refused without a token', async () => {
    const anonymous = new IcebergRestCatalog({ baseUrl: server.url, warehouse: 'default' });
    await expect(anonymous.listNamespaces()).rejects.toSatisfy((e: unknown) => e instanceof IcebergError && e.status === 401);
  });

  it('manages namespaces', async () => {
    await catalog.createNamespace({ namespace: ['js'] }, { properties: { owner: 'iceberg-js' } });
    await catalog.createNamespace({ namespace: ['js', 'nested'] });
    expect(await catalog.namespaceExists({ namespace: ['js'] })).toBe(true);
    expect(await catalog.namespaceExists({ namespace: ['nope'] })).toBe(false);
    // Beside what was set, the namespace shows its default location (under the warehouse root).
    expect((await catalog.loadNamespaceMetadata({ namespace: ['js'] })).properties).toEqual({
      owner: 'iceberg-js',
      location: expect.stringMatching(/\/warehouse\/js$/),
    });
    const children = await catalog.listNamespaces({ parent: { namespace: ['js'] } });
    expect(children.namespaces).toEqual([{ namespace: ['js', 'nested'] }]);
    const upd = await catalog.updateNamespaceProperties({ namespace: ['js'] }, { updates: { k: 'v' }, removals: ['owner'] });
    expect(upd.updated).toEqual(['k']);
    expect(upd.removed).toEqual(['owner']);
    await catalog.dropNamespace({ namespace: ['js', 'nested'] });
    expect(await catalog.namespaceExists({ namespace: ['js', 'nested'] })).toBe(false);
  });

  it('creates, loads with ETag, commits, lists with paging, renames and drops tables', async () => {
    const created = await catalog.createTableResult(
      { namespace: ['js'] },
      {
        name: 'events',
        schema,
        'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] },
        properties: { 'format-version': '2' },
      },
    );
    expect(created.metadata['format-version']).toBe(2);
    expect(created['metadata-location']).toMatch(/00000-.*\.metadata\.json$/);
    expect(existsSync(fileURLToPath(created['metadata-location']!))).toBe(true);

    const first = await catalog.loadTableResult({ namespace: ['js'], name: 'events' });
    expect(first?.etag).toBeTruthy();
    const unchanged = await catalog.loadTableResult({ namespace: ['js'], name: 'events' }, { ifNoneMatch: first!.etag! });
    expect(unchanged).toBeNull();

    const committed = await catalog.commitTable(
      { namespace: ['js'], name: 'events' },
      {
        requirements: [{ type: 'assert-table-uuid', uuid: created.metadata['table-uuid'] }],
        updates: [{ action: 'set-properties', updates: { 'commit.by': 'iceberg-js' } }],
      },
    );
    expect(committed['metadata-location']).toMatch(/00001-.*\.metadata\.json$/);
    expect(committed.metadata.properties?.['commit.by']).toBe('iceberg-js');
    const changed = await catalog.loadTableResult({ namespace: ['js'], name: 'events' }, { ifNoneMatch: first!.etag! });
    expect(changed?.metadata.properties?.['commit.by']).toBe('iceberg-js');

    await expect(
      catalog.commitTable(
        { namespace: ['js'], name: 'events' },
        { requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [] },
      ),
    ).rejects.toSatisfy((e: unknown) => e instanceof IcebergError && e.status === 409);

    for (const n of ['t1', 't2', 't3']) await catalog.createTable({ namespace: ['js'] }, { name: n, schema });
    // Without pageToken the spec's answer is the whole listing; an empty pageToken asks for the first page.
    const whole = await catalog.listTables({ namespace: ['js'] }, { pageSize: 2 });
    expect(whole.identifiers).toHaveLength(4);
    expect(whole.nextPageToken ?? null).toBeNull();
    const page1 = await catalog.listTables({ namespace: ['js'] }, { pageSize: 2, pageToken: '' });
    expect(page1.identifiers).toHaveLength(2);
    expect(page1.nextPageToken).toBeTruthy();
    const page2 = await catalog.listTables({ namespace: ['js'] }, { pageSize: 2, pageToken: page1.nextPageToken! });
    expect([...page1.identifiers, ...page2.identifiers].map((i) => i.name).sort()).toEqual(['events', 't1', 't2', 't3']);

    await catalog.renameTable({ source: { namespace: ['js'], name: 't1' }, destination: { namespace: ['js'], name: 't1_renamed' } });
    expect(await catalog.tableExists({ namespace: ['js'], name: 't1' })).toBe(false);
    expect(await catalog.tableExists({ namespace: ['js'], name: 't1_renamed' })).toBe(true);

    const dup = catalog.createTable({ namespace: ['js'] }, { name: 't2', schema });
    await expect(dup).rejects.toSatisfy((e: unknown) => e instanceof IcebergError && e.status === 409);

    const purged = await catalog.loadTableResult({ namespace: ['js'], name: 't2' });
    await catalog.dropTable({ namespace: ['js'], name: 't2' }, { purge: true });
    expect(await catalog.tableExists({ namespace: ['js'], name: 't2' })).toBe(false);
    expect(existsSync(fileURLToPath(purged!.metadata.location!))).toBe(false);

    await expect(catalog.loadTable({ namespace: ['js'], name: 'missing' })).rejects.toSatisfy(
      (e: unknown) => e instanceof IcebergError && e.status === 404 && e.icebergType === 'NoSuchTableException',
    );
  });
});
