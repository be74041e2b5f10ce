/**
 * One PostgreSQL cluster per test file (Debian's postgresql, scripts/peers/postgres.sh): started on a free loopback
 * port in beforeAll, stopped and its directory removed in afterAll. Each store a test opens gets a database of its
 * own, so contract runs do not see each other's rows.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { PostgresCatalogStore } from '../../packages/server/src/persistence/postgres/postgres-store.js';
import { type Postgres, startPostgres } from './peers.js';
import { freePort, tempDir } from './temp.js';

export interface PostgresCluster {
  /** The running cluster (after beforeAll). */
  readonly pg: Postgres;
  /** Creates database `<prefix>_<n>` (n counts up per file) and answers its connection URL. */
  database(prefix: string): string;
  /** A catalog store on a new database, migrated. */
  migratedStore(prefix: string): Promise<PostgresCatalogStore>;
}

/** Registers the hooks that start and stop this file's cluster; its data lives in a temporary `dirPrefix` directory. */
export function usePostgresCluster(dirPrefix: string): PostgresCluster {
  const dir = tempDir(dirPrefix);
  let pg: Postgres | undefined;
  let counter = 0;
  beforeAll(async () => {
    pg = startPostgres(`${dir.dir}/cluster`, await freePort());
  }, 300_000);
  afterAll(() => {
    pg?.stop();
    dir.cleanup();
  });
  const cluster: PostgresCluster = {
    get pg() {
      if (!pg) throw new Error('the PostgreSQL cluster is started in beforeAll');
      return pg;
    },
    database: (prefix) => cluster.pg.createDatabase(`${prefix}_${counter++}`),
    async migratedStore(prefix) {
      const store = new PostgresCatalogStore({ connectionString: cluster.database(prefix) });
      await store.migrate();
      return store;
    },
  };
  return cluster;
}

/**
 * How many claims some process waits for now on the database at `connectionString`: its ungranted advisory locks
 * (replica claims, persistence/postgres/replica-claims.ts, are advisory locks).
 */
export async function waitingClaims(connectionString: string): Promise<number> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>("select count(*) as n from pg_locks where locktype = 'advisory' and not granted");
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}
