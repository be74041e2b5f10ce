/**
 * The delivery loop on the in-memory outbox with a scripted sink and a manual clock: the cursor moves only after
 * deliver() resolved, a failed batch is retried whole after an exponential backoff, the sink turns `failing` after
 * maxFailures and back to `active` once a batch is accepted, and of two deliverers only the lease holder delivers;
 * and the store round trips a round costs (the lease renewed once half of it has gone, no re-reads after a batch).
 */
import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../persistence/memory/memory-outbox.js';
import { EventDelivery } from './delivery.js';
import type { SinkRecord } from '../ports/delivery.js';
import { type CloudEvent, type EventSink, PartialDelivery } from '../ports/event-sink.js';

const sinkRecord: SinkRecord = {
  id: 's',
  warehouse: 'w',
  kind: 'webhook',
  config: {},
  cursor: 0,
  state: 'active',
  failures: 0,
  nextAttemptAtMs: 0,
  delivered: 0,
  createdAtMs: 0,
  updatedAtMs: 0,
};

function setup(holder = 'a', outbox = new MemoryOutbox(), clock = { t: 1_000 }) {
  const batches: CloudEvent[][] = [];
  const state = { down: false };
  const sink: EventSink = {
    kind: 'webhook',
    async deliver(events) {
      if (state.down) throw new Error('HTTP 500');
      batches.push([...events]);
    },
    async close() {},
  };
  const delivery = new EventDelivery({
    store: outbox,
    sinkFor: async () => sink,
    baseUrl: () => 'https://c.test',
    holder,
    now: () => clock.t,
    intervalMs: 10,
    leaseTtlMs: 10_000,
    maxFailures: 3,
    maxBackoffMs: 8_000,
    batchSize: 2,
    warn: () => undefined,
  });
  return { outbox, delivery, batches, state, clock };
}

const event = (n: number) => ({ id: `e${n}`, warehouse: 'w', type: 'io.lakegate.table.committed', partitionKey: 'u', timeMs: n, data: { n } });

describe('event delivery', () => {
  it('delivers in sequence order in batches, and moves the cursor only after the sink accepted', async () => {
    const { outbox, delivery, batches, state, clock } = setup();
    await outbox.insertSink(sinkRecord);
    await outbox.appendEvents([1, 2, 3, 4, 5].map(event));
    await delivery.tick();
    expect(batches.map((b) => b.map((e) => e.sequence))).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(batches[0]![0]).toMatchObject({ specversion: '1.0', id: 'e1', source: 'https://c.test/warehouses/w', partitionkey: 'u' });
    expect(await outbox.getSink('s')).toMatchObject({ cursor: 5, delivered: 5, state: 'active' });

    state.down = true;
    await outbox.appendEvents([6, 7].map(event));
    const backoffs: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const before = await outbox.getSink('s');
      clock.t = before!.nextAttemptAtMs;
      await delivery.tick();
      const after = (await outbox.getSink('s'))!;
      backoffs.push(after.nextAttemptAtMs - clock.t);
      expect(after.cursor).toBe(5);
      expect(after.failures).toBe(i + 1);
      expect(after.state).toBe(i + 1 >= 3 ? 'failing' : 'active');
      expect(after.lastError).toBe('HTTP 500');
      // A time in whole milliseconds, as the management API documents it (an integer), jitter or not.
      expect(Number.isInteger(after.nextAttemptAtMs), String(after.nextAttemptAtMs)).toBe(true);
    }
    // 1 s, 2 s, 4 s, 8 s (each ±25 % jitter), capped at maxBackoffMs.
    backoffs.forEach((b, i) => expect(b).toBeGreaterThanOrEqual(0.75 * Math.min(8_000, 1_000 * 2 ** i)));
    backoffs.forEach((b, i) => expect(b).toBeLessThanOrEqual(1.25 * Math.min(8_000, 1_000 * 2 ** i)));
    // Not before its time.
    await delivery.tick();
    expect((await outbox.getSink('s'))!.failures).toBe(4);

    state.down = false;
    clock.t = (await outbox.getSink('s'))!.nextAttemptAtMs;
    await delivery.tick();
    expect(batches.at(-1)!.map((e) => e.id)).toEqual(['e6', 'e7']);
    expect(await outbox.getSink('s')).toMatchObject({ cursor: 7, delivered: 7, failures: 0, state: 'active' });
  });

  it('lets only the lease holder deliver; another takes over once the lease expired', async () => {
    const outbox = new MemoryOutbox();
    const clock = { t: 1_000 };
    const a = setup('a', outbox, clock);
    const b = setup('b', outbox, clock);
    await outbox.insertSink(sinkRecord);
    await outbox.appendEvents([event(1)]);
    await a.delivery.tick();
    await outbox.appendEvents([event(2)]);
    await b.delivery.tick();
    expect(a.batches.flat().map((e) => e.id)).toEqual(['e1']);
    expect(b.batches).toEqual([]);
    clock.t += 10_001;
    await b.delivery.tick();
    expect(b.batches.flat().map((e) => e.id)).toEqual(['e2']);
    await a.delivery.tick();
    expect(a.batches.flat().map((e) => e.id)).toEqual(['e1']);
  });

  it('renews the lease only once half of it has gone, and reads each sink once per round when it is at the head', async () => {
    const calls: string[] = [];
    const memory = new MemoryOutbox();
    const counted = new Proxy(memory, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        return typeof v === 'function' && ['acquireLease', 'list', 'getSink', 'listSinks', 'advanceSink'].includes(String(name))
          ? (...args: unknown[]) => (calls.push(String(name)), v.apply(target, args))
          : v;
      },
    });
    const { delivery, batches, clock } = setup('a', counted);
    await memory.insertSink(sinkRecord);
    await memory.appendEvents([1, 2, 3].map(event));
    await delivery.tick();
    // Batches of 2: a full one goes on from the cursor it wrote (no getSink), the short one ends the round.
    expect(batches.map((b) => b.map((e) => e.id))).toEqual([['e1', 'e2'], ['e3']]);
    expect(calls).toEqual(['listSinks', 'acquireLease', 'list', 'advanceSink', 'list', 'advanceSink']);
    calls.length = 0;
    clock.t += 4_000; // 4 s of a 10 s lease gone: no renewal
    await memory.appendEvents([event(4)]);
    await delivery.tick();
    expect(calls).toEqual(['listSinks', 'list', 'advanceSink']);
    calls.length = 0;
    clock.t += 1_500; // 5.5 s gone: renewed
    await delivery.tick();
    expect(calls).toEqual(['listSinks', 'acquireLease', 'list']);
    expect(batches.flat().map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    // Renewed from then: another deliverer still cannot take it 9 s later, and can after 10 s.
    const b = setup('b', memory, clock);
    clock.t += 9_000;
    await b.delivery.tick();
    expect(b.batches).toEqual([]);
    await memory.appendEvents([event(5)]);
    clock.t += 1_001;
    await b.delivery.tick();
    expect(b.batches.flat().map((e) => e.id)).toEqual(['e5']);
    // And the first, whose lease has expired, asks for it again (and is refused) instead of delivering.
    calls.length = 0;
    await delivery.tick();
    expect(calls).toEqual(['listSinks', 'acquireLease']);
    expect(batches.flat().map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('moves past the events a sink accepted before it failed midway, without counting a failure, and resends only the rest', async () => {
    const outbox = new MemoryOutbox();
    const clock = { t: 1_000 };
    const sent: string[] = [];
    let acceptBeforeFailing = 1; // events accepted by the next call before it fails (Infinity: all)
    const sink: EventSink = {
      kind: 'webhook',
      async deliver(events) {
        for (let i = 0; i < events.length; i++) {
          if (i >= acceptBeforeFailing) throw i === 0 ? new Error('HTTP 500') : new PartialDelivery(i, new Error('HTTP 500'));
          sent.push(events[i]!.id);
        }
      },
      async close() {},
    };
    const delivery = new EventDelivery({
      store: outbox,
      sinkFor: async () => sink,
      baseUrl: () => 'https://c.test',
      holder: 'a',
      now: () => clock.t,
      intervalMs: 10,
      leaseTtlMs: 10_000,
      maxFailures: 3,
      maxBackoffMs: 8_000,
      batchSize: 3,
      warn: () => undefined,
    });
    await outbox.insertSink(sinkRecord);
    await outbox.appendEvents([1, 2, 3, 4, 5].map(event));
    await delivery.tick();
    // e1 accepted, e2 failed: the cursor is past e1 only, and the sink is not backing off.
    expect(sent).toEqual(['e1']);
    expect(await outbox.getSink('s')).toMatchObject({ cursor: 1, delivered: 1, failures: 0, state: 'active', nextAttemptAtMs: 0 });
    acceptBeforeFailing = 0; // the next call fails at once: a real failure, backed off
    await delivery.tick();
    expect(await outbox.getSink('s')).toMatchObject({ cursor: 1, failures: 1 });
    acceptBeforeFailing = Infinity;
    clock.t = (await outbox.getSink('s'))!.nextAttemptAtMs;
    await delivery.tick();
    // Nothing accepted twice, nothing skipped.
    expect(sent).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(await outbox.getSink('s')).toMatchObject({ cursor: 5, delivered: 5, failures: 0 });
  });
});
