/**
 * The contract every DerivationIntentStore passes (memory, SQLite, PostgreSQL): the intents of policy-derived Lance
 * datasets being written (catalog/ports/derivation-intents.ts), kept as recorded, listed by age oldest first within a
 * limit, each removed once.
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
  });
}
