/** The contract every StorageGrantStore passes (memory, SQLite, PostgreSQL): tenant storage grants, issue 40. */
import { describe, expect, it } from 'vitest';
import type { StorageGrantStore } from '../../packages/server/src/catalog/ports/storage-grants.js';

export function storageGrantContract(name: string, open: () => Promise<{ grants: StorageGrantStore; close: () => Promise<void> }>): void {
  describe(`${name} storage grants`, () => {
    it('has no grant for a tenant until one is put, then replaces it whole, per tenant', async () => {
      const { grants, close } = await open();
      try {
        expect(await grants.get('acme')).toBeUndefined();
        await grants.put({ tenant: 'acme', roots: ['s3://acme-bucket', 'gs://acme/lake'], updatedAtMs: 1_700_000_000_000 });
        await grants.put({ tenant: 'globex', roots: ['s3://globex'], updatedAtMs: 1 });
        expect(await grants.get('acme')).toEqual({ tenant: 'acme', roots: ['s3://acme-bucket', 'gs://acme/lake'], updatedAtMs: 1_700_000_000_000 });
        await grants.put({ tenant: 'acme', roots: [], updatedAtMs: 2 });
        expect(await grants.get('acme')).toEqual({ tenant: 'acme', roots: [], updatedAtMs: 2 });
        expect((await grants.get('globex'))?.roots).toEqual(['s3://globex']);
        expect(await grants.get('ACME')).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}
