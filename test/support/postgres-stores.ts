/**
 * A PostgreSQL of the calling file's own (Debian's package, scripts/peers/postgres.sh), started in its beforeAll and
 * stopped in its afterAll, and fresh migrated catalog stores on it, one database each: for the store contracts that
 * only a database with concurrent transactions can show (event-intents-postgres, lance-tag-intents-postgres).
 */
import { afterAll, beforeAll } from 'vitest';
import { PostgresCatalogStore } from '../../packages/server/src/persistence/postgres/postgres-store.js';
import { type Postgres, startPostgres } from './peers.js';
import { freePort, tempDir } from './temp.js';

/** Registers the cluster's start and stop; the returned function opens a store on a database of its own. */
export function postgresStores(prefix: string): () => Promise<PostgresCatalogStore> {
  const dir = tempDir(`lakegate-pg-${prefix}-`);
  let pg: Postgres | undefined;
  let databases = 0;
  beforeAll(async () => {
    pg = startPostgres(`${dir.dir}/cluster`, await freePort());
  }, 300_000);
  afterAll(() => {
    pg?.stop();
    dir.cleanup();
  });
  return async () => {
    const store = new PostgresCatalogStore({ connectionString: pg!.createDatabase(`${prefix.replace(/\W/g, '_')}_${databases++}`) });
    await store.migrate();
    return store;
  };
}
