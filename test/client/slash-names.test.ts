/**
 * The SDK with names holding "/" (issue 42): IcebergRestCatalog encodes each namespace level and the table name as
 * one path segment (%2F), so a real Lakegate process creates, lists, loads, renames and drops them, and every request
 * went to the segment it names (never split at the "/").
 */
import { IcebergRestCatalog } from '@lakegate/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { simpleSchema } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ anonymous: true, env: { LAKEGATE_LOG_LEVEL: 'warn' } });
});
afterAll(async () => server?.stop());

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

it('creates, lists, loads, renames and drops a table named with "/" in a namespace named with "/"', async () => {
  const paths: string[] = [];
  const fetchLogged: typeof fetch = async (input, init) => {
    paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
    return fetch(input, init);
  };
  const catalog = new IcebergRestCatalog({ uri: server.url, fetch: fetchLogged });
  const ns = ['sdk/ns', 'x/y'];
  await catalog.createNamespace(['sdk/ns']);
  await catalog.createNamespace(ns);
  expect(await collect(catalog.namespaces(['sdk/ns']))).toEqual([ns]);
  const created = await catalog.createTable(ns, { name: 'ta/ble', schema: simpleSchema });
  expect(created.metadata.location).toMatch(/\/_sdk_2Fns\/_x_2Fy\/ta_ble-[0-9a-f]{32}$/);
  expect(await collect(catalog.tables(ns))).toEqual([{ namespace: ns, name: 'ta/ble' }]);
  expect((await catalog.loadTable({ namespace: ns, name: 'ta/ble' })).metadata.location).toBe(created.metadata.location);
  await catalog.renameTable({ namespace: ns, name: 'ta/ble' }, { namespace: ['sdk/ns'], name: 'a/b/c' });
  expect(await collect(catalog.tables(['sdk/ns']))).toEqual([{ namespace: ['sdk/ns'], name: 'a/b/c' }]);
  await catalog.dropTable({ namespace: ['sdk/ns'], name: 'a/b/c' }, { purge: true });
  await catalog.dropNamespace(ns);
  await catalog.dropNamespace(['sdk/ns']);
  expect(await catalog.namespaceExists(['sdk/ns'])).toBe(false);
  expect(paths).toContain('/v1/default/namespaces/sdk%2Fns%1Fx%2Fy/tables/ta%2Fble');
  expect(paths.some((p) => /\/namespaces\/sdk\//.test(p))).toBe(false);
});
