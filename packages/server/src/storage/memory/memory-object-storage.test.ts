import { describe, expect, it } from 'vitest';
import { expectBoundedRead, expectBulkDelete, expectRangedRead } from '../../../../../test/support/object-storage-contract.js';
import { MemoryObjectStorage } from './memory-object-storage.js';

describe('MemoryObjectStorage (the object-store contract)', () => {
  it('reads within the bound', async () => {
    const storage = new MemoryObjectStorage();
    await storage.writeNew('mem://b/t/metadata/1.json', Buffer.from('{"v":1}'));
    await expectBoundedRead(storage, 'mem://b/t/metadata/1.json', Buffer.from('{"v":1}'));
  });

  it('reads a byte range alone, and refuses one past the end', async () => {
    const storage = new MemoryObjectStorage();
    await storage.writeNew('mem://b/t/data/dv.puffin', Buffer.from('PFA1 blobs PFA1'));
    await expectRangedRead(storage, 'mem://b/t/data/dv.puffin', Buffer.from('PFA1 blobs PFA1'), 'mem://b/t/data/none.puffin');
  });

  it('deleteMany: every URI answered, another scheme and a directory refused', async () => {
    await expectBulkDelete(new MemoryObjectStorage(), 'mem://b/wh/t1', 's3://b/wh/t1/x.parquet');
  });

  it('deleteMany reports what the store refuses as failed and leaves it, deleting the rest', async () => {
    const storage = new MemoryObjectStorage({ refuseDelete: (uri) => (uri.includes('locked') ? 'AccessDenied' : undefined) });
    for (const u of ['mem://b/t/a', 'mem://b/t/locked-1', 'mem://b/t/c']) await storage.writeNew(u, Buffer.from('x'));
    const result = await storage.deleteMany(['mem://b/t/a', 'mem://b/t/locked-1', 'mem://b/t/c']);
    expect(result.deleted.sort()).toEqual(['mem://b/t/a', 'mem://b/t/c']);
    expect(result.failed).toEqual([{ uri: 'mem://b/t/locked-1', code: 'ERR_STORAGE', message: 'memory delete mem://b/t/locked-1 failed: AccessDenied' }]);
    expect([...storage.objects.keys()]).toEqual(['mem://b/t/locked-1']);
  });
});
