/**
 * The contract every FunctionStore passes (memory, SQLite, PostgreSQL): functions (SQL UDFs, apache/iceberg#15180)
 * by (warehouse, namespace, name); put creates or replaces (a replace keeps the creation time), list pages in
 * code-unit order within one namespace only, delete says whether there was one, and each change commits its events.
 */
import { describe, expect, it } from 'vitest';
import type { FunctionRecord, FunctionStore } from '../../packages/server/src/catalog/ports/functions.js';
import type { OutboxEventInput } from '../../packages/server/src/catalog/ports/outbox.js';
import { storeOpener } from './contract-harness.js';

export interface FunctionHandle {
  functions: FunctionStore;
  /** The events committed so far in the warehouse (oldest first), by type. */
  eventTypes: (warehouse: string) => Promise<string[]>;
  close(): Promise<void>;
}

const ev = (type: string): OutboxEventInput => ({ id: `${type}-${Math.random()}`, warehouse: 'lake', type, partitionKey: 'lake', timeMs: 1, data: {} });
const fn = (name: string, namespace: string[] = ['db'], over: Partial<FunctionRecord> = {}): FunctionRecord => ({
  warehouse: 'lake',
  namespace,
  name,
  uuid: `uuid-${name}`,
  metadataJson: `{"format-version":1,"name":${JSON.stringify(name)}}`,
  createdAtMs: 1_000,
  updatedAtMs: 1_000,
  ...over,
});

export function functionContract(name: string, open: () => Promise<FunctionHandle>): void {
  const withStore = storeOpener(open);
  describe(`${name} functions`, () => {
    it(
      'has none until put; put creates, then replaces whole, keeping the creation time',
      withStore(async ({ functions }) => {
        expect(await functions.get('lake', ['db'], 'add_one')).toBeUndefined();
        expect(await functions.put(fn('add_one'))).toBe('created');
        expect(await functions.get('lake', ['db'], 'add_one')).toEqual(fn('add_one'));
        expect(await functions.put(fn('add_one', ['db'], { uuid: 'u2', metadataJson: '{"v":2}', createdAtMs: 5_000, updatedAtMs: 6_000 }))).toBe('replaced');
        expect(await functions.get('lake', ['db'], 'add_one')).toEqual(
          fn('add_one', ['db'], { uuid: 'u2', metadataJson: '{"v":2}', createdAtMs: 1_000, updatedAtMs: 6_000 }),
        );
        // Same name elsewhere is another function.
        expect(await functions.get('lake', ['db', 'inner'], 'add_one')).toBeUndefined();
        expect(await functions.get('other', ['db'], 'add_one')).toBeUndefined();
      }),
    );

    it(
      'lists one namespace in code-unit order, after a name, at most limit',
      withStore(async ({ functions }) => {
        for (const n of ['b', 'a', 'Z', 'é', 'a_b']) await functions.put(fn(n));
        await functions.put(fn('x', ['db', 'inner']));
        await functions.put(fn('y', ['db2']));
        await functions.put({ ...fn('w'), warehouse: 'other' });
        expect(await functions.list('lake', ['db'], undefined, 100)).toEqual(['Z', 'a', 'a_b', 'b', 'é']);
        expect(await functions.list('lake', ['db'], undefined, 2)).toEqual(['Z', 'a']);
        expect(await functions.list('lake', ['db'], 'a', 2)).toEqual(['a_b', 'b']);
        expect(await functions.list('lake', ['db'], 'é', 10)).toEqual([]);
        expect(await functions.list('lake', ['db', 'inner'], undefined, 10)).toEqual(['x']);
        expect(await functions.list('lake', ['nowhere'], undefined, 10)).toEqual([]);
      }),
    );

    it(
      'deletes: true when there was one, false after',
      withStore(async ({ functions }) => {
        await functions.put(fn('gone'));
        expect(await functions.delete('lake', ['db'], 'gone')).toBe(true);
        expect(await functions.get('lake', ['db'], 'gone')).toBeUndefined();
        expect(await functions.delete('lake', ['db'], 'gone')).toBe(false);
        expect(await functions.list('lake', ['db'], undefined, 10)).toEqual([]);
      }),
    );

    it(
      'commits the change events with the change, in order; a delete of nothing records none',
      withStore(async ({ functions, eventTypes }) => {
        await functions.put(fn('f'), [ev('function.created')]);
        await functions.put(fn('f'), [ev('function.replaced')]);
        await functions.delete('lake', ['db'], 'f', [ev('function.dropped')]);
        await functions.delete('lake', ['db'], 'f', [ev('function.dropped-again')]);
        expect(await eventTypes('lake')).toEqual(['function.created', 'function.replaced', 'function.dropped']);
      }),
    );
  });
}
