/** The contract every EnforcerStore passes (memory, SQLite, PostgreSQL): trusted policy enforcers, issue 54. */
import { describe, expect, it } from 'vitest';
import type { EnforcerStore, PolicyEnforcer } from '../../packages/server/src/catalog/ports/enforcers.js';

const enforcer = (warehouse: string, clientId: string, extra: Partial<PolicyEnforcer> = {}): PolicyEnforcer => ({
  tenant: 'acme',
  warehouse,
  clientId,
  mechanism: 'trino-opa',
  createdBy: 'service:admin',
  createdAtMs: 1000,
  ...extra,
});

export function enforcerContract(name: string, open: () => Promise<{ store: EnforcerStore; close: () => Promise<void> }>): void {
  describe(`${name} enforcers`, () => {
    it('keeps one declaration per (tenant, warehouse, principal), listed by warehouse and by principal, replaced by put and removed once', async () => {
      const { store, close } = await open();
      try {
        await store.put(enforcer('lake', 'trino'));
        await store.put(enforcer('lake', 'spark', { mechanism: 'read-restrictions' }));
        await store.put(enforcer('sea', 'trino', { trinoCatalog: 'sea_cat' }));
        await store.put(enforcer('lake', 'trino', { tenant: 'other' }));
        expect((await store.list('acme', 'lake')).map((e) => [e.clientId, e.mechanism])).toEqual([
          ['spark', 'read-restrictions'],
          ['trino', 'trino-opa'],
        ]);
        expect(await store.listForPrincipal('acme', 'trino')).toEqual([enforcer('lake', 'trino'), enforcer('sea', 'trino', { trinoCatalog: 'sea_cat' })]);
        await store.put(enforcer('lake', 'trino', { mechanism: 'read-restrictions', createdAtMs: 2000 }));
        expect((await store.list('acme', 'lake')).find((e) => e.clientId === 'trino')).toMatchObject({ mechanism: 'read-restrictions', createdAtMs: 2000 });
        expect(await store.remove('acme', 'lake', 'trino')).toBe(true);
        expect(await store.remove('acme', 'lake', 'trino')).toBe(false);
        expect((await store.list('acme', 'lake')).map((e) => e.clientId)).toEqual(['spark']);
        expect((await store.list('other', 'lake')).map((e) => e.clientId)).toEqual(['trino']);
      } finally {
        await close();
      }
    });
  });
}
