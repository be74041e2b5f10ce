/**
 * The contract every DerivationIntentStore passes (memory, SQLite, PostgreSQL): the intents of policy-derived Lance
 * datasets being written (catalog/ports/derivation-intents.ts), kept as recorded, listed by age oldest first within a
 * limit, each removed once; the sweep's attempts recorded, the least recently tried listed first (never tried before
 * all), so intents that keep failing rotate to the back of the page.
 */
import { describe, expect, it } from 'vitest';
import type { DerivationIntent, DerivationIntentStore } from '../../packages/server/src/catalog/ports/derivation-intents.js';

const T = 1_700_000_000_000;
const intent = (id: string, createdAtMs: number): DerivationIntent => ({
  id,
  warehouse: 'lake',
  tableId: `table-${id}`,
  tableUuid: `uuid-${id}`,
  tableLocation: `file:///w/ns/t-${id}`,
  dataset: `file:///w/ns/t-${id}/_lakegate/policy/pv/lance-v3-${id}.lance`,
  side: `file:///w/ns/t-${id}/_lakegate/policy/pv/lance-v3.json`,
  createdAtMs,
});

export function derivationIntentContract(name: string, open: () => Promise<{ intents: DerivationIntentStore; close: () => Promise<void> }>): void {
  describe(`${name} derivation intents`, () => {
    it('keeps intents as recorded, lists those before a time oldest first within a limit, and removes each once', async () => {
      const { intents, close } = await open();
      try {
        await intents.add(intent('b', T + 20));
        await intents.add(intent('a', T + 10));
        await intents.add(intent('c', T + 30));
        expect(await intents.pending(T + 30, 10)).toEqual([intent('a', T + 10), intent('b', T + 20)]);
        expect((await intents.pending(T + 100, 1)).map((i) => i.id)).toEqual(['a']);
        expect(await intents.remove('a')).toBe(true);
        expect(await intents.remove('a')).toBe(false);
        expect((await intents.pending(T + 100, 10)).map((i) => i.id)).toEqual(['b', 'c']);
      } finally {
        await close();
      }
    });

    it('lists the intents never tried first, then the least recently tried, so tried ones rotate behind the rest', async () => {
      const { intents, close } = await open();
      try {
        for (const [id, at] of [
          ['a', T + 10],
          ['b', T + 20],
          ['c', T + 30],
          ['d', T + 40],
        ] as const)
          await intents.add(intent(id, at));
        // The sweep tried the two oldest (and kept them): the page of two is the untried ones now, oldest first.
        await intents.attempted('a', T + 1_000);
        await intents.attempted('b', T + 900);
        expect((await intents.pending(T + 100, 2)).map((i) => i.id)).toEqual(['c', 'd']);
        expect((await intents.pending(T + 100, 10)).map((i) => i.id)).toEqual(['c', 'd', 'b', 'a']);
        // The attempt is kept with the intent; trying again moves it back; an attempt on a gone intent is nothing.
        expect((await intents.pending(T + 100, 10)).find((i) => i.id === 'a')).toEqual({ ...intent('a', T + 10), attemptedAtMs: T + 1_000 });
        await intents.attempted('c', T + 2_000);
        await intents.attempted('d', T + 2_000);
        await intents.attempted('b', T + 3_000);
        expect((await intents.pending(T + 100, 10)).map((i) => i.id)).toEqual(['a', 'c', 'd', 'b']);
        await intents.remove('a');
        await intents.attempted('a', T + 4_000);
        expect((await intents.pending(T + 100, 10)).map((i) => i.id)).toEqual(['c', 'd', 'b']);
      } finally {
        await close();
      }
    });
  });
}
