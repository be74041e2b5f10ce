/**
 * The contract every event-intent store (catalog/ports/intents.ts) passes: memory and SQLite
 * (event-intents.test.ts), PostgreSQL (test/interop/event-intents-postgres.test.ts). A saved intent is pending and
 * has no event; publishing appends its events to the outbox and removes it, once (a second publish or a drop after
 * it does nothing); dropping leaves no event; saving again replaces its writes; the age scan is ordered and bounded;
 * event data keeps exact 64-bit integers. Order: an intent takes its events' numbers when it is recorded, and the
 * stream is listed only below a pending intent's numbers (head too), so events committed after it wait and follow
 * it once it is published; a dropped intent leaves a gap and lets them through.
 */
import { describe, expect, it } from 'vitest';
import type { EventIntent, EventIntentStore } from '../../packages/server/src/catalog/ports/intents.js';
import type { OutboxEventInput, OutboxStore } from '../../packages/server/src/catalog/ports/outbox.js';
import { ev } from './outbox-contract.js';

export interface IntentHandle {
  intents: EventIntentStore;
  outbox: OutboxStore;
  /** Appends as a change's transaction does. */
  append(events: readonly OutboxEventInput[]): Promise<void>;
  close(): Promise<void>;
}

let n = 0;
const intent = (createdAtMs: number, extra: Partial<EventIntent> = {}): EventIntent => ({
  id: `10000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  createdAtMs,
  events: [ev('w', { type: 'io.lakegate.grant.added' })],
  writes: [{ op: 'write', user: 'role:acme/readers#assignee', relation: 'select', object: 'table:t1' }],
  ...extra,
});

export function eventIntentContract(name: string, open: () => Promise<IntentHandle>): void {
  describe(`event intent store contract: ${name}`, () => {
    it('keeps a saved intent pending with no event; publishing appends its events once and removes it', async () => {
      const h = await open();
      try {
        const i = intent(1000);
        expect(await h.intents.countPending()).toBe(0);
        await h.intents.saveIntent(i);
        expect(await h.outbox.head('w')).toBe(0);
        expect((await h.intents.pendingIntents(2000, 10)).map((x) => x.id)).toEqual([i.id]);
        // Saved again (its writes so far): still one pending.
        await h.intents.saveIntent(i);
        expect(await h.intents.countPending()).toBe(1);
        expect(await h.intents.publishIntent(i.id, i.events)).toBe(true);
        expect(await h.intents.countPending()).toBe(0);
        expect((await h.outbox.list('w', 0, 10)).map((e) => [e.id, e.sequence, e.type])).toEqual([[i.events[0]!.id, 1, 'io.lakegate.grant.added']]);
        // Resolved once: a second publish (the sweep racing the request) and a drop do nothing.
        expect(await h.intents.publishIntent(i.id, i.events)).toBe(false);
        expect(await h.intents.dropIntent(i.id)).toBe(false);
        expect(await h.outbox.head('w')).toBe(1);
        expect(await h.intents.pendingIntents(2000, 10)).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('drops an intent without an event; a publish after the drop appends nothing', async () => {
      const h = await open();
      try {
        const i = intent(1000);
        await h.intents.saveIntent(i);
        const other = intent(1001, { events: [ev('v')] });
        await h.intents.saveIntent(other);
        expect(await h.intents.countPending()).toBe(2);
        expect(await h.intents.dropIntent(i.id)).toBe(true);
        expect(await h.intents.countPending()).toBe(1);
        expect(await h.intents.dropIntent(other.id)).toBe(true);
        expect(await h.intents.publishIntent(i.id, i.events)).toBe(false);
        expect(await h.outbox.list('w', 0, 10)).toEqual([]);
        // Its number was taken when it was recorded and stays unused.
        expect(await h.outbox.head('w')).toBe(1);
        expect(await h.intents.pendingIntents(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('replaces an intent saved again (its writes so far), keeping its age', async () => {
      const h = await open();
      try {
        const i = intent(1000);
        await h.intents.saveIntent(i);
        const more = {
          ...i,
          createdAtMs: 5000,
          writes: [...i.writes, { op: 'delete' as const, user: 'role:acme/readers#assignee', relation: 'insert', object: 'table:t1' }],
        };
        await h.intents.saveIntent(more);
        const [stored] = await h.intents.pendingIntents(2000, 10);
        expect(stored?.writes).toEqual(more.writes);
        expect(stored?.createdAtMs).toBe(1000);
        expect(stored?.events).toEqual(i.events);
      } finally {
        await h.close();
      }
    });

    it('holds the stream at a pending intent: events committed after it wait, then follow it once it is published', async () => {
      const h = await open();
      try {
        const before = ev('w');
        await h.append([before]);
        const i = intent(1000);
        await h.intents.saveIntent(i);
        const later = [ev('w'), ev('w')];
        await h.append(later);
        await h.append([ev('other')]);
        // Only what precedes the intent is readable, and a sink created now starts before it.
        expect((await h.outbox.list('w', 0, 10)).map((e) => e.id)).toEqual([before.id]);
        expect(await h.outbox.head('w')).toBe(1);
        // Other streams are not held.
        expect((await h.outbox.list('other', 0, 10)).length).toBe(1);
        expect(await h.outbox.head('other')).toBe(1);
        expect(await h.intents.publishIntent(i.id, i.events)).toBe(true);
        expect((await h.outbox.list('w', 0, 10)).map((e) => [e.id, e.sequence])).toEqual([
          [before.id, 1],
          [i.events[0]!.id, 2],
          [later[0]!.id, 3],
          [later[1]!.id, 4],
        ]);
        expect(await h.outbox.head('w')).toBe(4);
      } finally {
        await h.close();
      }
    });

    it('a dropped intent leaves its number unused (a gap) and lets the stream go on', async () => {
      const h = await open();
      try {
        const i = intent(1000);
        await h.intents.saveIntent(i);
        const later = ev('w');
        await h.append([later]);
        expect(await h.outbox.list('w', 0, 10)).toEqual([]);
        expect(await h.outbox.head('w')).toBe(0);
        expect(await h.intents.dropIntent(i.id)).toBe(true);
        expect((await h.outbox.list('w', 0, 10)).map((e) => [e.id, e.sequence])).toEqual([[later.id, 2]]);
        expect(await h.outbox.head('w')).toBe(2);
      } finally {
        await h.close();
      }
    });

    it('refuses an intent whose events span two streams, and a publish of more events than it holds', async () => {
      const h = await open();
      try {
        await expect(h.intents.saveIntent(intent(1000, { events: [ev('w'), ev('other')] }))).rejects.toThrow(TypeError);
        const i = intent(1000);
        await h.intents.saveIntent(i);
        await expect(h.intents.publishIntent(i.id, [ev('w'), ev('w')])).rejects.toThrow(TypeError);
        // Still pending, its number still held.
        expect((await h.intents.pendingIntents(2000, 10)).map((x) => x.id)).toEqual([i.id]);
        expect(await h.intents.publishIntent(i.id, i.events)).toBe(true);
        expect((await h.outbox.list('w', 0, 10)).map((e) => e.sequence)).toEqual([1]);
      } finally {
        await h.close();
      }
    });

    it('lists pending intents older than the bound, oldest first, at most limit', async () => {
      const h = await open();
      try {
        const a = intent(3000);
        const b = intent(1000);
        const c = intent(2000);
        const young = intent(9000);
        for (const i of [a, b, c, young]) await h.intents.saveIntent(i);
        expect((await h.intents.pendingIntents(5000, 10)).map((x) => x.id)).toEqual([b.id, c.id, a.id]);
        expect((await h.intents.pendingIntents(5000, 2)).map((x) => x.id)).toEqual([b.id, c.id]);
        expect((await h.intents.pendingIntents(1000, 10)).map((x) => x.id)).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('publishes the events it is given, with exact 64-bit integers, after the warehouse events committed meanwhile', async () => {
      const h = await open();
      try {
        const big = 9007199254740993n;
        const i = intent(1000, { events: [ev('w', { data: { 'snapshot-id': big } })] });
        await h.intents.saveIntent(i);
        const [stored] = await h.intents.pendingIntents(2000, 10);
        expect(stored?.events[0]?.data['snapshot-id']).toBe(big);
        const actual = [ev('w', { id: i.events[0]!.id, type: 'io.lakegate.grant.revoked' })];
        expect(await h.intents.publishIntent(i.id, actual)).toBe(true);
        const [published] = await h.outbox.list('w', 0, 10);
        expect(published?.type).toBe('io.lakegate.grant.revoked');
        expect(published?.id).toBe(i.events[0]!.id);
      } finally {
        await h.close();
      }
    });
  });
}
