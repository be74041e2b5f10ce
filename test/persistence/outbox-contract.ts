/**
 * The contract every outbox store (catalog/ports/outbox.ts, delivery-ports.ts) passes: the in-memory reference and
 * SQLite (outbox.test.ts), PostgreSQL (test/interop/outbox-postgres.test.ts). Sequences are per warehouse, start at
 * 1 and rise by one per event; events of a transaction that rolls back are gone and take no number; retention keeps
 * the counter and records the highest sequence it deleted per stream; a sink's cursor moves only by compare-and-set; one lease holder at a time until it expires.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxEventInput, OutboxStores } from '../../packages/server/src/catalog/ports/outbox.js';
import type { SinkRecord } from '../../packages/server/src/catalog/ports/delivery.js';
import type { CatalogStore } from '../../packages/server/src/catalog/ports/index.js';
import { storeOpener } from './contract-harness.js';

export interface OutboxHandle {
  outbox: OutboxStores;
  /** Appends in one transaction; with `fail`, the transaction throws after the append (rolls back). Undefined: the store has no transactions. */
  append(events: readonly OutboxEventInput[], fail?: boolean): Promise<void>;
  transactional: boolean;
  close(): Promise<void>;
}

/** A catalog store's outbox, appended to through a transaction's repository as the services do. */
export function storeHandle(store: CatalogStore): OutboxHandle {
  return {
    outbox: store.outbox,
    append: (events, fail) =>
      store.transaction(async (repo) => {
        await repo.appendEvents(events);
        if (fail) throw new Error('injected failure after the outbox write');
      }),
    transactional: true,
    close: () => store.close(),
  };
}

let n = 0;
export const ev = (warehouse: string, extra: Partial<OutboxEventInput> = {}): OutboxEventInput => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  warehouse,
  type: 'io.lakegate.table.committed',
  subject: 'ns/t',
  partitionKey: 'uuid-1',
  timeMs: 1_000 + n,
  data: { warehouse, namespace: ['ns'], name: 't', snapshots: [{ 'snapshot-id': 9_007_199_254_740_993n }] },
  ...extra,
});

export const sink = (id: string, warehouse: string, extra: Partial<SinkRecord> = {}): SinkRecord => ({
  id,
  warehouse,
  kind: 'webhook',
  config: { url: 'http://127.0.0.1:1/hook' },
  cursor: 0,
  state: 'active',
  failures: 0,
  nextAttemptAtMs: 0,
  delivered: 0,
  createdAtMs: 10,
  updatedAtMs: 10,
  ...extra,
});

export function outboxContract(name: string, open: () => Promise<OutboxHandle>): void {
  describe(`outbox store contract: ${name}`, () => {
    const withStore = storeOpener(open);

    it(
      'numbers events per warehouse from 1, in append order, and pages them after a cursor',
      withStore(async (h) => {
        const a1 = ev('a');
        const a2 = ev('a', { subject: undefined, partitionKey: 'a' });
        const b1 = ev('b');
        await h.append([a1, a2]);
        await h.append([b1]);
        const a3 = ev('a');
        await h.append([a3]);
        const all = await h.outbox.list('a', 0, 10);
        expect(all.map((e) => [e.sequence, e.id])).toEqual([
          [1, a1.id],
          [2, a2.id],
          [3, a3.id],
        ]);
        expect(all[0]).toEqual({ ...a1, sequence: 1 });
        expect(all[1]).not.toHaveProperty('subject');
        expect((await h.outbox.list('b', 0, 10)).map((e) => e.sequence)).toEqual([1]);
        expect((await h.outbox.list('a', 1, 1)).map((e) => e.id)).toEqual([a2.id]);
        expect(await h.outbox.list('a', 3, 10)).toEqual([]);
        expect(await h.outbox.head('a')).toBe(3);
        expect(await h.outbox.head('none')).toBe(0);
      }),
    );

    it(
      'keeps nothing of a transaction that rolled back, and gives away no number for it',
      withStore(async (h) => {
        if (!h.transactional) return;
        await h.append([ev('w')]);
        await expect(h.append([ev('w'), ev('w')], true)).rejects.toThrow();
        const kept = ev('w');
        await h.append([kept]);
        expect((await h.outbox.list('w', 0, 10)).map((e) => [e.sequence, e.id])).toEqual([
          [1, expect.any(String)],
          [2, kept.id],
        ]);
      }),
    );

    it(
      'refuses an event id twice (consumers drop duplicates by id: the store never makes two)',
      withStore(async (h) => {
        const e = ev('w');
        await h.append([e]);
        await expect(h.append([{ ...e }])).rejects.toThrow();
        expect(await h.outbox.head('w')).toBe(1);
      }),
    );

    it(
      'sweeps old events by age and never reuses their numbers',
      withStore(async (h) => {
        await h.append([ev('w', { timeMs: 100 }), ev('w', { timeMs: 200 }), ev('w', { timeMs: 300 })]);
        expect(await h.outbox.deleteBefore(250)).toBe(2);
        await h.append([ev('w', { timeMs: 400 })]);
        expect((await h.outbox.list('w', 0, 10)).map((e) => e.sequence)).toEqual([3, 4]);
      }),
    );

    it(
      'keeps old events a sink has not accepted yet (keepAfter), in that warehouse only',
      withStore(async (h) => {
        await h.append([ev('w', { timeMs: 100 }), ev('w', { timeMs: 110 }), ev('w', { timeMs: 120 })]);
        await h.append([ev('v', { timeMs: 100 }), ev('v', { timeMs: 110 })]);
        expect(await h.outbox.deleteBefore(1_000, new Map([['w', 1]]))).toBe(3);
        expect((await h.outbox.list('w', 0, 10)).map((e) => e.sequence)).toEqual([2, 3]);
        expect(await h.outbox.list('v', 0, 10)).toEqual([]);
      }),
    );

    it(
      'records per stream the highest sequence retention deleted, and never lowers it',
      withStore(async (h) => {
        await h.append([ev('w', { timeMs: 100 }), ev('w', { timeMs: 200 }), ev('w', { timeMs: 300 })]);
        await h.append([ev('v', { timeMs: 150 }), ev('v', { timeMs: 900 })]);
        expect(await h.outbox.deletedThrough('w')).toBe(0);
        expect(await h.outbox.deleteBefore(250)).toBe(3);
        expect(await h.outbox.deletedThrough('w')).toBe(2);
        expect(await h.outbox.deletedThrough('v')).toBe(1);
        expect(await h.outbox.deletedThrough('none')).toBe(0);
        // A sweep that finds nothing leaves the watermarks; a later one raises them.
        expect(await h.outbox.deleteBefore(250)).toBe(0);
        expect(await h.outbox.deletedThrough('w')).toBe(2);
        await h.append([ev('w', { timeMs: 400 })]);
        expect(await h.outbox.deleteBefore(350)).toBe(1);
        expect(await h.outbox.deletedThrough('w')).toBe(3);
        expect((await h.outbox.list('w', 0, 10)).map((e) => e.sequence)).toEqual([4]);
        expect(await h.outbox.deletedThrough('v')).toBe(1);
      }),
    );

    it(
      'records what it deleted, not what it kept: a sink floor, and an event younger than a later one',
      withStore(async (h) => {
        await h.append([ev('w', { timeMs: 100 }), ev('w', { timeMs: 110 }), ev('w', { timeMs: 120 })]);
        expect(await h.outbox.deleteBefore(1_000, new Map([['w', 1]]))).toBe(1);
        expect(await h.outbox.deletedThrough('w')).toBe(1);
        // Times follow the change, sequences the commit: an older-stamped event may come later, and go first.
        await h.append([ev('x', { timeMs: 5_000 }), ev('x', { timeMs: 100 }), ev('x', { timeMs: 6_000 })]);
        expect(await h.outbox.deleteBefore(1_000, new Map([['w', 1]]))).toBe(1);
        expect(await h.outbox.deletedThrough('x')).toBe(2);
        expect((await h.outbox.list('x', 0, 10)).map((e) => e.sequence)).toEqual([1, 3]);
        expect(await h.outbox.deletedThrough('w')).toBe(1);
      }),
    );

    it(
      'keeps sinks per warehouse, moves a cursor only from where it is, and records failures',
      withStore(async (h) => {
        await h.outbox.insertSink(sink('s1', 'a', { secretId: 'sec-1' }));
        await h.outbox.insertSink(sink('s2', 'b', { createdAtMs: 11 }));
        expect((await h.outbox.listSinks()).map((s) => s.id)).toEqual(['s1', 's2']);
        expect((await h.outbox.listSinks('b')).map((s) => s.id)).toEqual(['s2']);
        expect(await h.outbox.getSink('s1')).toEqual(sink('s1', 'a', { secretId: 'sec-1' }));
        expect(await h.outbox.advanceSink('s1', 0, 5, 5, 20)).toBe(true);
        expect(await h.outbox.advanceSink('s1', 0, 7, 7, 21)).toBe(false);
        await h.outbox.recordFailure('s1', { failures: 3, state: 'failing', lastError: 'HTTP 500', nextAttemptAtMs: 99 }, 22);
        expect(await h.outbox.getSink('s1')).toMatchObject({
          cursor: 5,
          delivered: 5,
          failures: 3,
          state: 'failing',
          lastError: 'HTTP 500',
          nextAttemptAtMs: 99,
          updatedAtMs: 22,
        });
        expect(await h.outbox.advanceSink('s1', 5, 6, 1, 23)).toBe(true);
        const after = await h.outbox.getSink('s1');
        expect(after).toMatchObject({ cursor: 6, delivered: 6, failures: 0, state: 'active', nextAttemptAtMs: 0 });
        expect(after).not.toHaveProperty('lastError');
        expect(await h.outbox.updateSinkConfig('s2', { url: 'http://x' }, undefined, 30)).toBe(true);
        expect(await h.outbox.updateSinkConfig('nope', {}, undefined, 30)).toBe(false);
        expect(await h.outbox.getSink('s2')).toMatchObject({ config: { url: 'http://x' }, updatedAtMs: 30 });
        expect(await h.outbox.deleteSink('s2')).toBe(true);
        expect(await h.outbox.deleteSink('s2')).toBe(false);
        expect(await h.outbox.getSink('s2')).toBeUndefined();
      }),
    );

    it(
      "keeps whether a sink may reach any destination (a platform administrator's) or is held to the rule (every other)",
      withStore(async (h) => {
        await h.outbox.insertSink(sink('p', 'a', { anyDestination: true }));
        await h.outbox.insertSink(sink('r', 'a', { createdAtMs: 11, anyDestination: false }));
        await h.outbox.insertSink(sink('d', 'a', { createdAtMs: 12 }));
        expect(await h.outbox.getSink('p')).toEqual(sink('p', 'a', { anyDestination: true }));
        for (const id of ['r', 'd']) expect((await h.outbox.getSink(id))?.anyDestination ?? false, id).toBe(false);
        expect((await h.outbox.listSinks('a')).map((s) => [s.id, s.anyDestination === true])).toEqual([
          ['p', true],
          ['r', false],
          ['d', false],
        ]);
        expect(await h.outbox.updateSinkConfig('p', { url: 'http://y' }, undefined, 40)).toBe(true);
        expect(await h.outbox.getSink('p')).toMatchObject({ anyDestination: true, config: { url: 'http://y' } });
      }),
    );

    it(
      'grants the lease to one holder at a time until it expires; the holder renews and releases it',
      withStore(async (h) => {
        expect(await h.outbox.acquireLease('delivery', 'r1', 1_000, 500)).toBe(true);
        expect(await h.outbox.acquireLease('delivery', 'r2', 1_200, 500)).toBe(false);
        expect(await h.outbox.acquireLease('delivery', 'r1', 1_400, 500)).toBe(true);
        expect(await h.outbox.acquireLease('delivery', 'r2', 1_800, 500)).toBe(false);
        expect(await h.outbox.acquireLease('delivery', 'r2', 1_901, 500)).toBe(true);
        await h.outbox.releaseLease('delivery', 'r1');
        expect(await h.outbox.acquireLease('delivery', 'r1', 1_950, 500)).toBe(false);
        await h.outbox.releaseLease('delivery', 'r2');
        expect(await h.outbox.acquireLease('delivery', 'r1', 1_960, 500)).toBe(true);
      }),
    );

    it(
      'numbers concurrent transactions of one warehouse without a gap or a repeat',
      withStore(async (h) => {
        const events = Array.from({ length: 24 }, () => ev('hot'));
        await Promise.all(events.map((e) => h.append([e])));
        const listed = await h.outbox.list('hot', 0, 100);
        expect(listed.map((e) => e.sequence)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
        expect(new Set(listed.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
      }),
    );
  });
}
