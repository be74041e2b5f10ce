/**
 * The contract every Lance tag intent store (catalog/ports/lance-tag-intents.ts) passes: memory and SQLite
 * (lance-tag-intents.test.ts), PostgreSQL (test/interop/lance-tag-intents-postgres.test.ts). A recorded intent is
 * kept as recorded (a delete's absent version included) and has no event; publishing appends its event (same id, the
 * stream's next number, exact 64-bit data) and removes it, once; dropping leaves no event; the age scan is ordered
 * (never-claimed first) and bounded; a claim is held by one until it ends, then taken again; an intent once resolved is claimed by none.
 * The write asked for and the tag's state before it are kept as recorded (a tag that named a version, none, not
 * known), and the summary /metrics reads counts every pending intent and names the oldest one's time.
 */
import { describe, expect, it } from 'vitest';
import type { LanceTagIntent, LanceTagIntentStore } from '../../packages/server/src/catalog/ports/lance-tag-intents.js';
import type { OutboxStore } from '../../packages/server/src/catalog/ports/outbox.js';
import { ev } from './outbox-contract.js';

export interface TagIntentHandle {
  intents: LanceTagIntentStore;
  outbox: OutboxStore;
  close(): Promise<void>;
}

export const tagIntent = (createdAtMs: number, extra: Partial<LanceTagIntent> = {}): LanceTagIntent => {
  const event = ev('w', { type: 'io.lakegate.lance-table.tag-created' });
  return { id: event.id, warehouse: 'w', namespace: ['ns', 'sub'], name: 't', tableId: 'table-1', tag: 'v1', version: 3, event, createdAtMs, ...extra };
};

async function using(open: () => Promise<TagIntentHandle>, fn: (h: TagIntentHandle) => Promise<void>): Promise<void> {
  const h = await open();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

export function lanceTagIntentContract(name: string, open: () => Promise<TagIntentHandle>): void {
  describe(`Lance tag intent store contract: ${name}`, () => {
    it('keeps a recorded intent as recorded with no event; publishing appends its event, same id, once, and removes it', () =>
      using(open, async (h) => {
        const a = tagIntent(1_000);
        const deleted = tagIntent(1_001, { version: undefined, tag: 'gone' });
        await h.intents.add(a);
        await h.intents.add(deleted);
        expect(await h.intents.pending(2_000, 10)).toEqual([a, deleted]);
        expect(await h.outbox.list('w', 0, 10)).toEqual([]);
        expect(await h.intents.publish(a.id)).toBe(true);
        // Exact: the 64-bit snapshot id of the event's data is kept.
        expect(await h.outbox.list('w', 0, 10)).toEqual([{ ...a.event, sequence: 1 }]);
        expect(await h.intents.publish(a.id)).toBe(false);
        expect(await h.intents.drop(a.id)).toBe(false);
        expect(await h.outbox.list('w', 0, 10)).toHaveLength(1);
        expect(await h.intents.pending(2_000, 10)).toEqual([deleted]);
      }));

    it('drops an intent with no event, once', () =>
      using(open, async (h) => {
        const a = tagIntent(1_000);
        await h.intents.add(a);
        expect(await h.intents.drop(a.id)).toBe(true);
        expect(await h.intents.drop(a.id)).toBe(false);
        expect(await h.intents.publish(a.id)).toBe(false);
        expect(await h.outbox.list('w', 0, 10)).toEqual([]);
        expect(await h.intents.pending(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      }));

    it('lists the intents recorded before a time, oldest first, within a limit, the claimed ones last', () =>
      using(open, async (h) => {
        const [b, a, c] = [tagIntent(20), tagIntent(10), tagIntent(30)];
        for (const i of [b, a, c]) await h.intents.add(i);
        expect((await h.intents.pending(30, 10)).map((i) => i.id)).toEqual([a.id, b.id]);
        expect((await h.intents.pending(100, 2)).map((i) => i.id)).toEqual([a.id, b.id]);
        // A claimed intent is still listed (its claim may end), behind those never claimed, so the recovery's kept
        // intents rotate to the back of its page; then by the end of their claims, earliest first.
        expect(await h.intents.claim(a.id, 50, 70)).toBe(true);
        expect((await h.intents.pending(100, 10)).map((i) => i.id)).toEqual([b.id, c.id, a.id]);
        expect((await h.intents.pending(100, 2)).map((i) => i.id)).toEqual([b.id, c.id]);
        expect(await h.intents.claim(c.id, 50, 60)).toBe(true);
        expect((await h.intents.pending(100, 10)).map((i) => i.id)).toEqual([b.id, c.id, a.id]);
        expect(await h.intents.claim(b.id, 50, 80)).toBe(true);
        expect((await h.intents.pending(100, 10)).map((i) => i.id)).toEqual([c.id, a.id, b.id]);
      }));

    it('holds a claim for one until it ends, then lets another take it; a resolved intent is claimed by none', () =>
      using(open, async (h) => {
        const a = tagIntent(1_000);
        await h.intents.add(a);
        expect(await h.intents.claim(a.id, 5_000, 9_000)).toBe(true);
        expect(await h.intents.claim(a.id, 6_000, 10_000)).toBe(false);
        expect(await h.intents.claim(a.id, 9_000, 13_000)).toBe(false);
        // Its claimer died: once the claim ended, another takes it.
        expect(await h.intents.claim(a.id, 9_001, 13_001)).toBe(true);
        expect(await h.intents.publish(a.id)).toBe(true);
        expect(await h.intents.claim(a.id, 20_000, 30_000)).toBe(false);
        expect(await h.intents.claim('00000000-0000-4000-8000-ffffffffffff', 20_000, 30_000)).toBe(false);
      }));

    it("keeps the write asked for and the tag's state before it as recorded: a version named, no tag, not known", () =>
      using(open, async (h) => {
        const created = tagIntent(10, { operation: 'create', before: { version: undefined } });
        const moved = tagIntent(11, { operation: 'update', before: { version: 2 } });
        const deleted = tagIntent(12, { operation: 'delete', version: undefined, before: { version: 5 } });
        const unknown = tagIntent(13, { operation: 'delete', version: undefined });
        for (const i of [created, moved, deleted, unknown]) await h.intents.add(i);
        const listed = await h.intents.pending(100, 10);
        expect(listed).toEqual([created, moved, deleted, unknown]);
        // Absent and not known stay apart (toEqual alone takes an undefined property for a missing one).
        expect(listed.map((i) => [i.operation, i.before === undefined ? 'not known' : i.before.version === undefined ? 'absent' : i.before.version])).toEqual([
          ['create', 'absent'],
          ['update', 2],
          ['delete', 5],
          ['delete', 'not known'],
        ]);
      }));

    it('summarizes the pending intents, claimed or not: how many, and when the oldest was recorded', () =>
      using(open, async (h) => {
        expect(await h.intents.summary()).toEqual({ pending: 0, oldestCreatedAtMs: undefined });
        const [b, a, c] = [tagIntent(2_000), tagIntent(1_000), tagIntent(3_000)];
        for (const i of [b, a, c]) await h.intents.add(i);
        expect(await h.intents.claim(a.id, 5_000, 9_000)).toBe(true);
        expect(await h.intents.summary()).toEqual({ pending: 3, oldestCreatedAtMs: 1_000 });
        expect(await h.intents.publish(a.id)).toBe(true);
        expect(await h.intents.summary()).toEqual({ pending: 2, oldestCreatedAtMs: 2_000 });
        expect(await h.intents.drop(b.id)).toBe(true);
        expect(await h.intents.drop(c.id)).toBe(true);
        expect(await h.intents.summary()).toEqual({ pending: 0, oldestCreatedAtMs: undefined });
      }));

    it('numbers a published event after the events committed before its publication, not before its write', () =>
      using(open, async (h) => {
        const early = tagIntent(1_000);
        const late = tagIntent(1_001);
        await h.intents.add(early);
        await h.intents.add(late);
        expect(await h.intents.publish(late.id)).toBe(true);
        expect(await h.intents.publish(early.id)).toBe(true);
        expect((await h.outbox.list('w', 0, 10)).map((e) => [e.id, e.sequence])).toEqual([
          [late.id, 1],
          [early.id, 2],
        ]);
      }));
  });
}
