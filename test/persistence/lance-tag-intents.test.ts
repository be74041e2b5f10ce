/**
 * The Lance tag intent store contract on the in-memory reference and on SQLite (PostgreSQL:
 * test/interop/lance-tag-intents-postgres.test.ts), and migration 0036 on an intent a SQLite database held before it.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { migrateTo } from '../../packages/server/src/persistence/migrations.js';
import { MemoryLanceTagIntents } from '../../packages/server/src/persistence/memory/memory-lance-tag-intents.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';
import { lanceTagIntentContract, tagIntent } from './lance-tag-intents-contract.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

lanceTagIntentContract('memory', async () => {
  const outbox = new MemoryOutbox();
  return { intents: new MemoryLanceTagIntents(outbox), outbox, close: async () => undefined };
});

lanceTagIntentContract('SQLite', async () => {
  const store = new SqliteCatalogStore(path.join(temp.dir, `tag-intents-${n++}.sqlite`));
  await store.migrate();
  return { intents: store.lanceTagIntents, outbox: store.outbox, close: () => store.close() };
});

describe('migration 0036 (the write asked for and the tag before it)', () => {
  it('reads an intent recorded before it as not knowing either, and keeps the rest of its row', async () => {
    const file = path.join(temp.dir, 'upgrade-0036.sqlite');
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    await migrateTo(old, '0035_lance_tag_intents');
    const intent = tagIntent(1_000);
    await old
      .insertInto('lance_tag_intents')
      .values({
        id: intent.id,
        warehouse: 'w',
        namespace: '["ns","sub"]',
        name: 't',
        table_id: 'table-1',
        tag: 'v1',
        version: 3,
        event: stringifyJson(intent.event),
        created_at: 1_000,
        claimed_until: null,
      })
      .execute();
    await old.destroy();
    const store = new SqliteCatalogStore(file);
    try {
      await store.migrate();
      const [read] = await store.lanceTagIntents.pending(2_000, 10);
      expect(read).toEqual(intent);
      expect(['operation' in read!, 'before' in read!]).toEqual([false, false]);
      expect(await store.lanceTagIntents.summary()).toEqual({ pending: 1, oldestCreatedAtMs: 1_000 });
    } finally {
      await store.close();
    }
  });
});
