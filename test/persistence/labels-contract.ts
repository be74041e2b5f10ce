/**
 * The contract every LabelStore passes (memory, SQLite, PostgreSQL): catalog-supplied labels of tables and views by
 * catalog id (issue 58). Where the store also holds the objects (`live`, the SQL stores), the object's row read is
 * the one that carries its labels (getObject's labelsJson): loads read them with no query of their own.
 */
import { describe, expect, it } from 'vitest';
import type { LabelStore } from '../../packages/server/src/catalog/ports/labels.js';
import type { OutboxEventInput } from '../../packages/server/src/catalog/ports/outbox.js';
import type { CatalogObjectRecord } from '../../packages/server/src/catalog/ports/index.js';
import { storeOpener } from './contract-harness.js';

export interface LabelHandle {
  labels: LabelStore;
  /** The events committed so far in the warehouse (oldest first), by type. */
  eventTypes: (warehouse: string) => Promise<string[]>;
  /** The store's catalog objects, where it has them. */
  live?: {
    insert(record: CatalogObjectRecord): Promise<boolean>;
    get(warehouse: string, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined>;
  };
  close(): Promise<void>;
}

const ev = (type: string): OutboxEventInput => ({ id: `${type}-${Math.random()}`, warehouse: 'lake', type, partitionKey: 'lake', timeMs: 1, data: {} });
const A = '{"object-labels":{"owner":"sales"}}';
const B = '{"fields":[{"field-id":1,"labels":{"pii":"email"}}]}';

let n = 0;
const object = (name: string, kind: CatalogObjectRecord['kind'] = 'table'): CatalogObjectRecord => {
  n += 1;
  return {
    id: `labels-${n}-${name}`,
    warehouse: 'lake',
    namespace: ['db'],
    name,
    kind,
    uuid: `uuid-${n}`,
    location: `s3://b/lake/db/${name}-${n}`,
    metadataLocation: `s3://b/lake/db/${name}-${n}/metadata/00001.metadata.json`,
    metadataJson: `{"format-version":2,"n":${n}}`,
    createdAtMs: 1_000,
    updatedAtMs: 2_000,
    locationOwned: true,
  };
};

export function labelContract(name: string, open: () => Promise<LabelHandle>): void {
  const withStore = storeOpener(open);
  describe(`${name} labels`, () => {
    it(
      'has none until put, then replaces them whole, per object; undefined removes them',
      withStore(async ({ labels }) => {
        expect(await labels.get('t1')).toBeUndefined();
        await labels.put('t1', A, 1);
        await labels.put('t2', B, 1);
        expect(await labels.get('t1')).toBe(A);
        await labels.put('t1', B, 2);
        expect(await labels.get('t1')).toBe(B);
        await labels.put('t1', undefined, 3);
        expect(await labels.get('t1')).toBeUndefined();
        expect(await labels.get('t2')).toBe(B);
        // Removing what is not there is not an error.
        await labels.put('t3', undefined, 4);
        expect(await labels.get('t3')).toBeUndefined();
      }),
    );

    it(
      'commits the change events with the change, in order',
      withStore(async ({ labels, eventTypes }) => {
        await labels.put('t1', A, 1, [ev('io.lakegate.table.labels-set')]);
        await labels.put('t1', undefined, 2, [ev('io.lakegate.view.labels-set')]);
        expect(await eventTypes('lake')).toEqual(['io.lakegate.table.labels-set', 'io.lakegate.view.labels-set']);
      }),
    );

    it(
      'where the store holds the objects, their row read carries their labels, and none for others',
      withStore(async ({ labels, live }) => {
        if (live === undefined) return;
        const table = object('orders');
        const view = object('recent', 'view');
        const plain = object('plain');
        for (const o of [table, view, plain]) expect(await live.insert(o)).toBe(true);
        await labels.put(table.id, A, 1);
        await labels.put(view.id, B, 1);
        expect((await live.get('lake', ['db'], 'orders'))?.labelsJson).toBe(A);
        expect((await live.get('lake', ['db'], 'recent'))?.labelsJson).toBe(B);
        expect((await live.get('lake', ['db'], 'plain'))?.labelsJson).toBeUndefined();
        // Read again (the metadata JSON now comes from the store's cache): the labels still come with the row, and move with a change.
        await labels.put(table.id, B, 2);
        const again = await live.get('lake', ['db'], 'orders');
        expect(again?.labelsJson).toBe(B);
        expect(again?.metadataJson).toBe(table.metadataJson);
        await labels.put(table.id, undefined, 3);
        expect((await live.get('lake', ['db'], 'orders'))?.labelsJson).toBeUndefined();
      }),
    );
  });
}
