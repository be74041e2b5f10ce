/**
 * PostgreSQL (Debian's postgresql package, started by the suite on 127.0.0.1):
 * the persistence contract, then two Lakegate server processes sharing one
 * database and serving the same catalog under concurrent commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pgDriver from 'pg';
import { PostgresCatalogStore, boundedWaits } from '../../packages/server/src/persistence/postgres/postgres-store.js';
import { withUnavailableErrors } from '../../packages/server/src/persistence/postgres/unavailable.js';
import { BatchingReads } from '../../packages/server/src/persistence/postgres/batched-reads.js';
import { type ReadRunner, kyselyRunner } from '../../packages/server/src/persistence/compiled-reads.js';
import { storeContract } from '../persistence/store-contract.js';
import { changeListenerContract } from '../persistence/change-listener-contract.js';
import { sessionContract } from '../persistence/session-contract.js';
import { storageGrantContract } from '../persistence/storage-grants-contract.js';
import { remoteFailureContract } from '../persistence/remote-failures-contract.js';
import { derivationIntentContract } from '../persistence/derivation-intents-contract.js';
import { policyContract } from '../persistence/policies-contract.js';
import { enforcerContract } from '../persistence/enforcers-contract.js';
import { lanceVersionContract } from '../persistence/lance-version-contract.js';
import { droppedObjectContract, maintenanceLeaseContract } from '../persistence/dropped-contract.js';
import { droppedNamespaceContract, kyselyHandle } from '../persistence/dropped-namespaces-contract.js';
import { appendUpdates, httpSender, simpleSchema } from '../support/iceberg-http.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { clientToken, type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const cluster = usePostgresCluster('lakegate-pg-');

const databases = new WeakMap<object, string>();
storeContract(
  'PostgreSQL',
  async () => {
    const connectionString = cluster.database('contract');
    const store = new PostgresCatalogStore({ connectionString });
    databases.set(store, connectionString);
    return store;
  },
  async (store) => new PostgresCatalogStore({ connectionString: databases.get(store)! }),
);
changeListenerContract('PostgreSQL', async () => cluster.migratedStore('changes'));
storageGrantContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('grants');
  return { grants: store.storageGrants, close: () => store.close() };
});
remoteFailureContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('remote_failures');
  return { failures: store.remoteFailures, close: () => store.close() };
});
derivationIntentContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('derivation_intents');
  return { intents: store.derivationIntents, close: () => store.close() };
});
enforcerContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('enforcers');
  return { store: store.enforcers, close: () => store.close() };
});
policyContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('policies');
  return { policies: store.policies, eventTypes: async (w) => (await store.outbox.list(w, 0, 100)).map((e) => e.type), close: () => store.close() };
});
lanceVersionContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('lance_versions');
  return { store: store.lanceVersions, close: () => store.close() };
});
droppedObjectContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('dropped');
  return {
    store: store.dropped,
    live: { insert: (r) => store.repository.insertObject(r), get: (w, ns, name) => store.repository.getObject(w, ns, name) },
    close: () => store.close(),
  };
});
droppedNamespaceContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('dropped_ns');
  return kyselyHandle(store);
});
maintenanceLeaseContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('leases');
  return { leases: store.maintenanceLeases, close: () => store.close() };
});
sessionContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('sessions');
  return { sessions: store.sessions, close: () => store.close() };
});

describe('named prepared statements', () => {
  /** The store's own Kysely, to look at its one connection. */
  class Probe extends PostgresCatalogStore {
    get kysely() {
      return this.db;
    }
  }

  it('runs each parameterised statement prepared once per connection, with its rows, and rejects with its error', async () => {
    const store = new Probe({ connectionString: cluster.database('prepared'), maxConnections: 1 });
    try {
      await store.migrate();
      for (const value of ['a', 'b', 'a']) {
        const rows = await sql<{ v: string }>`select ${value}::text as v`.execute(store.kysely);
        expect(rows.rows).toEqual([{ v: value }]);
      }
      const prepared = await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements where statement like ${'select $1::text as v%'}`.execute(store.kysely);
      expect(prepared.rows).toHaveLength(1);
      expect(prepared.rows[0]!.name).toMatch(/^lg_[A-Za-z0-9_-]{24}$/);
      // A statement that fails rejects with PostgreSQL's error (division by zero, 22012), and the connection goes on.
      await expect(sql`select 1 / ${0}::int as x`.execute(store.kysely)).rejects.toMatchObject({ code: '22012' });
      expect((await sql<{ v: string }>`select ${'c'}::text as v`.execute(store.kysely)).rows).toEqual([{ v: 'c' }]);
    } finally {
      await store.close();
    }
  });
});

describe('locations in byte order, whatever the database collation', () => {
  it('finds the objects under a location on a database whose collation ignores punctuation', async () => {
    // An ICU collation with punctuation ignorable (as glibc's en_US orders text): "a/in" sorts after "a0" there, so a
    // range over the location index in the database's own order would miss objects inside a table's location.
    const admin = new pgDriver.Client({ connectionString: cluster.pg.url });
    await admin.connect();
    const name = 'icu_shifted';
    try {
      await admin.query(`create database ${name} template template0 locale_provider icu icu_locale 'und-u-ka-shifted' locale 'C.UTF-8'`);
    } finally {
      await admin.end();
    }
    const store = new PostgresCatalogStore({ connectionString: cluster.pg.url.replace(/\/[^/]*$/, `/${name}`) });
    try {
      await store.migrate();
      await store.repository.insertWarehouse({
        name: 'w',
        tenant: 'default',
        storageRoot: 'file:///w',
        properties: {},
        createdAtMs: 1,
        storageProfile: { type: 'file' },
      });
      for (const [n, location] of [
        ['a', 'file:///w/p/a'],
        ['in', 'file:///w/p/a/in'],
        ['dash', 'file:///w/p/a-b'],
        ['zero', 'file:///w/p/a0'],
        ['dot', 'file:///w/p/a.b/x'],
      ]) {
        const ok = await store.repository.insertObject({
          id: `id-${n}`,
          warehouse: 'w',
          namespace: ['p'],
          name: n!,
          kind: 'table',
          uuid: `u-${n}`,
          location: location!,
          metadataLocation: `${location}/metadata/00000-a.metadata.json`,
          metadataJson: '{}',
          createdAtMs: 0,
          updatedAtMs: 0,
        });
        expect(ok).toBe(true);
      }
      expect((await store.repository.findObjectsByLocationPrefix('w', 'file:///w/p/a')).map((o) => o.name).sort()).toEqual(['a', 'in']);
      expect((await store.repository.findObjectsAtLocations('w', ['file:///w/p', 'file:///w/p/a'])).map((o) => o.name)).toEqual(['a']);
    } finally {
      await store.close();
    }
  });
});

describe('no request waits forever on the database', () => {
  const kysely = (connectionString: string) =>
    new Kysely<Record<string, never>>({
      dialect: withUnavailableErrors(new PostgresDialect({ pool: new pgDriver.Pool({ connectionString, ...boundedWaits(connectionString) }) })),
    });

  it('a statement is bounded at 30 s unless the connection string sets its own statement_timeout', async () => {
    const url = cluster.database('waits');
    const byDefault = kysely(url);
    const own = kysely(`${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c statement_timeout=150')}`);
    try {
      expect((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(byDefault)).rows[0]!.statement_timeout).toBe('30s');
      expect((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(own)).rows[0]!.statement_timeout).toBe('150ms');
      // A statement past its bound is cancelled (57014, its transaction rolled back): retryable, not a 500.
      await expect(sql`select pg_sleep(2)`.execute(own)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });
      expect((await sql<{ one: number }>`select 1 as one`.execute(own)).rows[0]!.one).toBe(1);
    } finally {
      await byDefault.destroy();
      await own.destroy();
    }
  });

  it('the pool gives up a connection attempt after 10 s (pg waits forever by default) and keeps sockets alive', () => {
    expect(boundedWaits('postgres://u@h/db')).toMatchObject({ connectionTimeoutMillis: 10_000, keepAlive: true, statement_timeout: 30_000 });
    expect(boundedWaits('postgres://u@h/db?options=-c%20statement_timeout%3D5s')).not.toHaveProperty('statement_timeout');
  });
});

describe('hot reads batched while the database is busy', () => {
  // Names an array literal must escape: quotes, backslashes, commas, braces, spaces, the word NULL, the empty string.
  const names = ['plain', 'quo"te', 'back\\slash', 'comma,brace{}', 'two words', 'NULL', '', 'ünï ✓', "it's"];
  let db: Kysely<Record<string, never>>;
  const sent: string[] = [];
  let reads: BatchingReads;

  beforeAll(async () => {
    db = new Kysely<Record<string, never>>({
      dialect: new PostgresDialect({ pool: new pgDriver.Pool({ connectionString: cluster.database('batched'), max: 4 }) }),
    });
    await sql`create table objs (name text primary key, n bigint not null, note text)`.execute(db);
    for (const [i, name] of names.entries()) await sql`insert into objs values (${name}, ${i}, ${i % 2 === 0 ? null : `note ${i}`})`.execute(db);
    const inner = kyselyRunner(db);
    const recording: ReadRunner = { rows: (q) => (sent.push(q.sql), inner.rows(q)) };
    reads = new BatchingReads(recording);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const byName = (name: string | null) => CompiledQuery.raw('select "name", "n", "note" from "objs" where "name" = $1', [name]);
  const formOf = (text: string) => (text.includes('cross join lateral') ? 'array' : text.includes(' union all ') ? 'union' : 'alone');

  it('answers each of many concurrent reads with its own rows, text parameters travelling as arrays', async () => {
    sent.length = 0;
    // A read alone goes alone, as the read's own statement.
    expect(await reads.rows(byName('plain'))).toEqual([{ name: 'plain', n: '0', note: null }]);
    expect(sent.map(formOf)).toEqual(['alone']);
    sent.length = 0;
    const asked = [...names, 'missing', null, ...names];
    const answers = await Promise.all(asked.map((name) => reads.rows(byName(name))));
    answers.forEach((rows, i) => {
      const name = asked[i]!;
      const at = name === null ? -1 : names.indexOf(name);
      expect(rows).toEqual(at < 0 ? [] : [{ name, n: String(at), note: at % 2 === 0 ? null : `note ${at}` }]);
    });
    // Asked in one turn of the event loop, they went together in the array form, one statement.
    expect(sent.map(formOf)).toEqual(['array']);
  });

  it('falls back to the union form for a read that compares a placeholder with a non-text column, and answers it the same', async () => {
    sent.length = 0;
    const byNumber = (n: string) => CompiledQuery.raw('select "name" from "objs" where "n" = $1', [n]);
    const first = await Promise.all(['1', '2', '3', '99'].map((n) => reads.rows(byNumber(n))));
    expect(first).toEqual([[{ name: names[1] }], [{ name: names[2] }], [{ name: names[3] }], []]);
    // PostgreSQL refused bigint = text in the array form (42883); the same reads went again as a union, at once.
    expect(sent.map(formOf)).toEqual(['array', 'union']);
    sent.length = 0;
    // Later groups of this text go as a union directly.
    expect(await Promise.all(['4', '5', '6'].map((n) => reads.rows(byNumber(n))))).toEqual([[{ name: names[4] }], [{ name: names[5] }], [{ name: names[6] }]]);
    expect(sent.map(formOf)).toEqual(['union']);
  });
});

describe('two server processes on one PostgreSQL database', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  const shared = tempDir('lakegate-shared-');

  beforeAll(async () => {
    const url = cluster.database('scaleout');
    // Both processes start at once: migrations must not race each other.
    // Replicas behind one address share the issuer identifier; signing keys are shared through the database.
    const common = {
      database: url,
      env: {
        LAKEGATE_WAREHOUSE_ROOT: `${shared.dir}/warehouse`,
        LAKEGATE_LOG_LEVEL: 'warn',
        LAKEGATE_PUBLIC_URL: 'http://catalog.lakegate.test',
        LAKEGATE_SECRET_KEY: 'q'.repeat(43) + '=',
        LAKEGATE_COMMIT_RETRIES: '1',
      },
    };
    [a, b] = await Promise.all([startServer(common), startServer(common)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    shared.cleanup();
  });

  it('serves one catalog: what one process creates, the other sees', async () => {
    const admin = a.credential || b.credential;
    // A token issued by one replica is accepted by the other.
    const token = await clientToken(a.url, admin);
    const sa = httpSender(a.url, token);
    const sb = httpSender(b.url, token);
    expect((await sa('POST', '/v1/default/namespaces', { namespace: ['shared'] })).status).toBe(200);
    expect((await sb('GET', '/v1/default/namespaces/shared')).status).toBe(200);
    expect((await sb('POST', '/v1/default/namespaces/shared/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    expect((await sa('GET', '/v1/default/namespaces/shared/tables/t')).body.metadata['table-uuid']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never loses an update when both processes commit concurrently', async () => {
    const token = await clientToken(b.url, a.credential || b.credential);
    const senders = [httpSender(a.url, token), httpSender(b.url, token)];
    // Commits without conflicting requirements: every one must land (the server re-applies on the winner's metadata).
    // One re-application is all each may take (LAKEGATE_COMMIT_RETRIES=1 above): after a lost race, the retry holds
    // the table's row (PostgreSQL row locks), so it cannot lose again, however busy the other process keeps the table.
    const props = await Promise.all(
      Array.from({ length: 48 }, (_, i) =>
        senders[i % 2]!('POST', '/v1/default/namespaces/shared/tables/t', {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { [`k${i}`]: String(i) } }],
        }),
      ),
    );
    expect(props.map((r) => r.status)).toEqual(Array(48).fill(200));
    const loaded = (await senders[0]!('GET', '/v1/default/namespaces/shared/tables/t')).body;
    for (let i = 0; i < 48; i++) expect(loaded.metadata.properties[`k${i}`]).toBe(String(i));
    expect(loaded.metadata['metadata-log']).toHaveLength(48);

    // Views too: 24 concurrent replaces (set-properties), one re-application each at most, all land.
    const view = {
      name: 'v',
      schema: simpleSchema,
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1,
        'schema-id': 0,
        summary: {},
        'default-namespace': ['shared'],
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
      },
    };
    expect((await senders[0]!('POST', '/v1/default/namespaces/shared/views', view)).status).toBe(200);
    const replaced = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        senders[i % 2]!('POST', '/v1/default/namespaces/shared/views/v', {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { [`v${i}`]: String(i) } }],
        }),
      ),
    );
    expect(replaced.map((r) => r.status)).toEqual(Array(24).fill(200));
    const viewNow = (await senders[1]!('GET', '/v1/default/namespaces/shared/views/v')).body.metadata;
    for (let i = 0; i < 24; i++) expect(viewNow.properties[`v${i}`]).toBe(String(i));

    // Appends that all assert the same parent: exactly one wins each round, the rest get 409 CommitFailedException.
    let accepted = 0;
    for (let round = 0; round < 5; round++) {
      const base = (await senders[0]!('GET', '/v1/default/namespaces/shared/tables/t')).body.metadata;
      const attempts = Array.from({ length: 6 }, () => appendUpdates(base));
      const results = await Promise.all(
        attempts.map((c, i) => senders[i % 2]!('POST', '/v1/default/namespaces/shared/tables/t', { requirements: c.requirements, updates: c.updates })),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(409);
        expect(r.body.error.type).toBe('CommitFailedException');
      }
      accepted += ok.length;
      const winner = attempts[results.findIndex((r) => r.status === 200)]!;
      const after = (await senders[1]!('GET', '/v1/default/namespaces/shared/tables/t')).body.metadata;
      expect(after['current-snapshot-id']).toBe(winner.snapshotId);
    }
    const final = (await senders[1]!('GET', '/v1/default/namespaces/shared/tables/t')).body.metadata;
    expect(final.snapshots).toHaveLength(accepted);
    expect(final['last-sequence-number']).toBe(accepted);
  });
});
