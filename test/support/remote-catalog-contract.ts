/**
 * The RemoteCatalog port's contract (catalog/ports/remote-catalog.ts), one suite every adapter passes: the codes are
 * what federation's services and clients act on (exists, not found, a failed requirement as a commit conflict).
 * Run against the in-memory remote and the Iceberg REST adapter (test/http/remote-catalog-contract.test.ts) and the
 * Glue adapter on moto (test/interop/remote-catalog-glue.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteCatalog } from '../../packages/server/src/catalog/ports/remote-catalog.js';
import { simpleSchema } from './iceberg-http.js';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

export function remoteCatalogContract(name: string, make: () => RemoteCatalog) {
  describe(name, () => {
    let remote: RemoteCatalog;
    beforeAll(() => {
      remote = make();
    });

    it('answers the connection test', async () => {
      await remote.check();
    });

    it('creates and lists namespaces; a second create is ERR_NAMESPACE_EXISTS', async () => {
      await remote.createNamespace(['c1'], {});
      expect(await remote.listNamespaces([])).toEqual(expect.arrayContaining([['c1']]));
      expect(await codeOf(remote.createNamespace(['c1'], {}))).toBe('ERR_NAMESPACE_EXISTS');
    });

    it('creates, lists and loads a table; a second create is ERR_TABLE_EXISTS', async () => {
      const created = await remote.createTable(['c1'], { name: 't', schema: simpleSchema });
      expect(created.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.parse(created.metadataJson)['table-uuid']).toBe(created.uuid);
      expect(await remote.listTables(['c1'])).toEqual([{ namespace: ['c1'], name: 't' }]);
      expect((await remote.loadTable(['c1'], 't')).metadataLocation).toBe(created.metadataLocation);
      expect(await codeOf(remote.createTable(['c1'], { name: 't', schema: simpleSchema }))).toBe('ERR_TABLE_EXISTS');
    });

    it('commits with requirements: met, a new pointer; failed, ERR_COMMIT_CONFLICT and nothing changed', async () => {
      const before = await remote.loadTable(['c1'], 't');
      const after = await remote.commitTable(
        ['c1'],
        't',
        [{ type: 'assert-table-uuid', uuid: before.uuid }],
        [{ action: 'set-properties', updates: { k: 'v' } }],
      );
      expect(after.metadataLocation).not.toBe(before.metadataLocation);
      expect(JSON.parse(after.metadataJson).properties.k).toBe('v');
      const stale = remote.commitTable(
        ['c1'],
        't',
        [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
        [{ action: 'set-properties', updates: { k: 'w' } }],
      );
      expect(await codeOf(stale)).toBe('ERR_COMMIT_CONFLICT');
      expect(JSON.parse((await remote.loadTable(['c1'], 't')).metadataJson).properties.k).toBe('v');
    });

    it('answers what is missing with the not-found codes', async () => {
      expect(await codeOf(remote.loadTable(['c1'], 'missing'))).toBe('ERR_TABLE_NOT_FOUND');
      expect(await codeOf(remote.listTables(['nowhere']))).toBe('ERR_NAMESPACE_NOT_FOUND');
    });

    it('drops a table', async () => {
      await remote.dropTable(['c1'], 't');
      expect(await codeOf(remote.loadTable(['c1'], 't'))).toBe('ERR_TABLE_NOT_FOUND');
      expect(await remote.listTables(['c1'])).toEqual([]);
    });
  });
}
