/**
 * The contract every LanceTagStore passes (the in-memory reference: lance-tags.test.ts; the LanceDB adapter on a real
 * dataset: test/http/lance-tags-port.test.ts): a tag created, read alone (the single-tag read a tag write's change
 * event uses) and in the listing, moved, deleted; a missing tag read alone is undefined, and Lance's refusals keep
 * their codes.
 */
import { describe, expect, it } from 'vitest';
import type { LanceTagStore, LanceTagTarget } from '../../packages/server/src/catalog/ports/lance-tags.js';

/** `open` gives a store and a table of it holding versions 1 and 2 and no tags. */
export function lanceTagStoreContract(name: string, open: () => Promise<{ store: LanceTagStore; target: LanceTagTarget }>): void {
  describe(`${name} Lance tag store`, () => {
    it('reads one tag alone as the listing names it, through create, update and delete; a missing one is undefined', async () => {
      const { store, target } = await open();
      expect(await store.unavailable()).toBeUndefined();
      expect(await store.version(target, 'ready')).toBeUndefined();
      await store.create(target, 'ready', 1);
      await store.create(target, 'other', 2);
      expect(await store.version(target, 'ready')).toBe(1);
      expect(await store.version(target, 'other')).toBe(2);
      expect((await store.list(target)).get('ready')?.version).toBe(1);
      await store.update(target, 'ready', 2);
      expect(await store.version(target, 'ready')).toBe(2);
      expect((await store.list(target)).get('ready')?.version).toBe(2);
      await store.delete(target, 'ready');
      expect(await store.version(target, 'ready')).toBeUndefined();
      expect([...(await store.list(target)).keys()]).toEqual(['other']);
      await expect(store.create(target, 'other', 1)).rejects.toMatchObject({ code: 'ERR_TAG_EXISTS' });
      await expect(store.update(target, 'gone', 1)).rejects.toMatchObject({ code: 'ERR_TAG_NOT_FOUND' });
      await expect(store.delete(target, 'gone')).rejects.toMatchObject({ code: 'ERR_TAG_NOT_FOUND' });
      await expect(store.create(target, 'far', 99)).rejects.toMatchObject({ code: 'ERR_TABLE_VERSION_NOT_FOUND' });
      await store.delete(target, 'other');
    });
  });
}
