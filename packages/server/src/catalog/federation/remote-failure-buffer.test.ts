/**
 * The remote failure history's write path during an outage (remote-failure-buffer.ts): the first failure of a kind is
 * written at once, its repeats within the interval are held and written as one count (at the interval, at a read, at
 * close); another kind, window or warehouse is its own; every failure is counted in the metric as it happens; and a
 * failing write loses that count only. Fake timers and a fake clock: no wall-clock waits.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryRemoteFailures, type RemoteFailureInput } from '../ports/remote-failures.js';
import { REMOTE_FAILURE_FLUSH_MS, RemoteFailureBuffer } from './remote-failure-buffer.js';

const WINDOW = 5 * 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW);

function subject() {
  const inner = new MemoryRemoteFailures();
  const writes: RemoteFailureInput[] = [];
  const record = inner.record.bind(inner);
  inner.record = async (f, w) => {
    writes.push(f);
    return record(f, w);
  };
  let now = T0;
  const counted: Array<[string, string, string, number]> = [];
  const buffer = new RemoteFailureBuffer(inner, { now: () => now }, { failed: (w, o, c, n) => counted.push([w, o, c, n]) });
  const down = (atMs: number, more: Partial<RemoteFailureInput> = {}): RemoteFailureInput => ({
    warehouse: 'w',
    operation: 'load-table',
    code: 'ERR_UNAVAILABLE',
    message: 'The remote catalog is unavailable: connection failed',
    atMs,
    ...more,
  });
  return { inner, writes, counted, buffer, down, at: (t: number) => (now = t) };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

describe('the remote failure buffer', () => {
  it('writes the first failure at once and its repeats as one count: one write per kind per interval, however many fail', async () => {
    const { writes, counted, buffer, down, at, inner } = subject();
    for (let i = 0; i < 500; i++) {
      at(T0 + i * 10); // 500 failures in 5 s
      await buffer.record(down(T0 + i * 10), WINDOW);
    }
    expect(writes).toHaveLength(1);
    expect(counted.reduce((n, c) => n + c[3], 0)).toBe(500);
    expect(counted[0]).toEqual(['w', 'load-table', 'ERR_UNAVAILABLE', 1]);
    // The interval ends: the 499 held are one write.
    at(T0 + REMOTE_FAILURE_FLUSH_MS);
    await vi.advanceTimersByTimeAsync(REMOTE_FAILURE_FLUSH_MS);
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatchObject({ count: 499, firstAtMs: T0 + 10, atMs: T0 + 4990 });
    expect((await inner.recent('w', 10)).map((r) => [r.count, r.firstAtMs - T0, r.lastAtMs - T0])).toEqual([[500, 0, 4990]]);
  });

  it('answers a read with everything it holds written first', async () => {
    const { writes, buffer, down, at } = subject();
    for (let i = 0; i < 30; i++) await buffer.record(down(T0 + i), WINDOW);
    at(T0 + 30);
    expect(writes).toHaveLength(1);
    expect((await buffer.recent('w', 20)).map((r) => r.count)).toEqual([30]);
    expect((await buffer.page('w', 20)).map((r) => r.count)).toEqual([30]);
    expect(writes).toHaveLength(2);
    // Nothing held: a read writes nothing more; close (flush) neither.
    await buffer.recent('w', 20);
    await buffer.flush();
    expect(writes).toHaveLength(2);
  });

  it('keeps kinds, windows and warehouses apart, each first failure written at once', async () => {
    const { writes, buffer, down, at } = subject();
    await buffer.record(down(T0), WINDOW);
    await buffer.record(down(T0, { operation: 'list-tables' }), WINDOW);
    await buffer.record(down(T0, { message: 'another error' }), WINDOW);
    await buffer.record(down(T0, { warehouse: 'other' }), WINDOW);
    at(T0 + WINDOW + 1); // the next window: a new row, written at once though the interval has not ended for the kind
    await buffer.record(down(T0 + WINDOW + 1), WINDOW);
    expect(writes).toHaveLength(5);
    await buffer.record(down(T0 + WINDOW + 2), WINDOW);
    expect(writes).toHaveLength(5);
    expect((await buffer.recent('w', 20)).map((r) => [r.operation, r.message.slice(0, 7), r.count])).toEqual([
      ['load-table', 'The rem', 2],
      ['list-tables', 'The rem', 1],
      ['load-table', 'another', 1],
      ['load-table', 'The rem', 1],
    ]);
  });

  it('writes a failure through once its kind was last written an interval ago', async () => {
    const { writes, buffer, down, at } = subject();
    await buffer.record(down(T0), WINDOW);
    at(T0 + REMOTE_FAILURE_FLUSH_MS);
    await buffer.record(down(T0 + REMOTE_FAILURE_FLUSH_MS), WINDOW);
    expect(writes).toHaveLength(2);
  });

  it('loses only the held count when its write fails, and goes on', async () => {
    const { inner, buffer, down, at } = subject();
    await buffer.record(down(T0), WINDOW);
    await buffer.record(down(T0 + 1), WINDOW);
    const record = inner.record;
    inner.record = async () => {
      throw new Error('database down');
    };
    await buffer.flush();
    inner.record = record;
    at(T0 + REMOTE_FAILURE_FLUSH_MS);
    await buffer.record(down(T0 + REMOTE_FAILURE_FLUSH_MS), WINDOW);
    expect((await buffer.recent('w', 20)).map((r) => r.count)).toEqual([2]);
  });
});
