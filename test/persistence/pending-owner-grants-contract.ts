/**
 * The PendingOwnerGrantStore contract (catalog/ports/owner-grants.ts): the in-memory reference and the database
 * adapter (through a real store, test/persistence/pending-owner-grants.test.ts and the store contract) behave alike.
 */
import { expect, it } from 'vitest';
import type { PendingOwnerGrant, PendingOwnerGrantStore } from '../../packages/server/src/catalog/ports/owner-grants.js';

const grant = (id: string, createdAtMs: number, over: Partial<PendingOwnerGrant> = {}): PendingOwnerGrant => ({
  id,
  tenant: 'default',
  warehouse: 'lake',
  member: { kind: 'user', issuer: 'https://idp.example', name: 'ana' },
  securable: { kind: 'table', id: `table-${id}` },
  object: `lake/ns.${id}`,
  createdAtMs,
  ...over,
});

export function pendingOwnerGrantsContract(make: () => Promise<{ grants: PendingOwnerGrantStore; close: () => Promise<void> }>): void {
  it('keeps pending owner grants as recorded, lists those before a time oldest first within a limit, and removes each once', async () => {
    const { grants, close } = await make();
    try {
      await grants.add(grant('b', 20, { member: { kind: 'principal', issuer: '', name: 'etl' }, securable: { kind: 'namespace', id: 'ns-1' } }));
      await grants.add(grant('a', 10));
      await grants.add(grant('c', 30));
      expect(await grants.pending(30, 10)).toEqual([
        grant('a', 10),
        grant('b', 20, { member: { kind: 'principal', issuer: '', name: 'etl' }, securable: { kind: 'namespace', id: 'ns-1' } }),
      ]);
      expect((await grants.pending(100, 1)).map((g) => g.id)).toEqual(['a']);
      expect(await grants.pending(10, 10)).toEqual([]);
      expect(await grants.remove('a')).toBe(true);
      expect(await grants.remove('a')).toBe(false);
      expect((await grants.pending(100, 10)).map((g) => g.id)).toEqual(['b', 'c']);
      // What a caller does to an answer does not change the store.
      const listed = await grants.pending(100, 10);
      listed[0]!.member.name = 'changed';
      expect((await grants.pending(100, 10))[0]!.member.name).toBe('etl');
      await expect(grants.add(grant('c', 40))).rejects.toThrow();
    } finally {
      await close();
    }
  });
}
