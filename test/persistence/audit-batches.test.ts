/**
 * The audit trail's batches (auth/audit.ts) reach the database whole or not at all: one transaction per batch, also
 * past the 100 rows one INSERT holds, so a batch costs one commit (on SQLite one fsync on the event loop), not one per
 * 100 rows. A batch whose last row cannot be written leaves none of it (on the old code its first 100 rows stayed).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../packages/server/src/auth/ports.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

async function store(): Promise<SqliteCatalogStore> {
  const s = new SqliteCatalogStore(path.join(temp.dir, `audit-${n++}.sqlite`));
  await s.migrate();
  return s;
}
const events = (count: number, prefix: string): AuditEvent[] =>
  Array.from({ length: count }, (_v, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    atMs: 1_000 + i,
    type: 'policy.engine-decision',
    actor: 'user:alice via trino',
    detail: { i },
    tenant: 'default',
    decision: 'allow',
  }));
const stored = async (s: SqliteCatalogStore) => (await s.identity.listAudit({ limit: 10_000 })).length;

describe('audit batches', () => {
  it('land whole: 250 events in one batch are all stored', async () => {
    const s = await store();
    await s.identity.insertAudit(events(250, 'a'));
    expect(await stored(s)).toBe(250);
    await s.close();
  });

  it('or not at all: a batch of 150 whose last row cannot be written leaves none of its rows', async () => {
    const s = await store();
    const batch = events(150, 'b');
    // The last row repeats the first one's id (the primary key): its INSERT, the second of the batch, fails.
    batch[149] = { ...batch[149]!, id: batch[0]!.id };
    await expect(s.identity.insertAudit(batch)).rejects.toThrow();
    expect(await stored(s)).toBe(0);
    await s.close();
  });
});
