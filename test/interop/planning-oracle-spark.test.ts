/**
 * The scan planner's oracle: Iceberg Java 1.11's own client-side planning. Spark 4.1 + Iceberg 1.11 writes a
 * corpus through Lakegate on MinIO (peers/spark/planning_oracle.py: partitioned by identity, bucket and days;
 * partition spec and schema evolved; merge-on-read DELETE/UPDATE/MERGE with file- and partition-scoped position
 * deletes; a v3 table with deletion vectors; equality deletes written with Iceberg Java's API, global and
 * partition-scoped; a branch; an older snapshot), then plans a battery of filters in the Spark driver through
 * py4j (table.newScan().filter(ExpressionParser.fromJson(json, schema)).planFiles()). For every (table, snapshot
 * or branch, filter) the set of (data file, sorted delete files) Lakegate's planFiles plans in-process, reading
 * the same metadata and manifests from MinIO through the catalog's own S3 storage adapter, with THE SAME filter
 * JSON, must equal Java's exactly. Each filter is also checked to prune something or to be the empty filter, so
 * the battery cannot pass by keeping everything.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestReader } from '../../packages/server/src/catalog/manifests/manifest-reader.js';
import type { PartitionSpec, Schema } from '../../packages/server/src/catalog/metadata/types.js';
import { bindFilter } from '../../packages/server/src/catalog/kit/expression.js';
import { planFiles } from '../../packages/server/src/catalog/planning/plan-files.js';
import { S3ObjectStorage } from '../../packages/server/src/storage/s3/s3-object-storage.js';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { createGrantedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync, tempDir } from '../support/temp.js';
import { runSparkJob } from '../support/spark-session.js';

const BUCKET = 'lakegate-oracle';
const NAMESPACE = 'oracle';

type Filter = { name: string; filter: unknown };
const f = (type: string, term: string, value?: unknown): unknown =>
  value === undefined ? { type, term } : Array.isArray(value) ? { type, term, values: value } : { type, term, value };
const named = (filters: Record<string, unknown>): Filter[] => Object.entries(filters).map(([name, filter]) => ({ name, filter }));

/** On columns every schema of t_part has (id, category, ts, amount) and on the evolved ones (label, score). */
const PART_COMMON = {
  empty: true,
  'id eq': f('eq', 'id', 5),
  'id not-eq': f('not-eq', 'id', 5),
  'id lt': f('lt', 'id', 10),
  'id lt-eq': f('lt-eq', 'id', 10),
  'id gt': f('gt', 'id', 100),
  'id gt-eq': f('gt-eq', 'id', 100),
  'id in (bucket)': f('in', 'id', [1, 2, 50]),
  'id not-in': f('not-in', 'id', [1, 2]),
  'category eq': f('eq', 'category', 'a'),
  'category in': f('in', 'category', ['a', 'c']),
  'category eq or eq': { type: 'or', left: f('eq', 'category', 'a'), right: f('eq', 'category', 'c') },
  'category is-null': f('is-null', 'category'),
  'category not-null': f('not-null', 'category'),
  'not category eq': { type: 'not', child: f('eq', 'category', 'a') },
  'amount is-null': f('is-null', 'amount'),
  'amount not-null': f('not-null', 'amount'),
  'amount is-nan': f('is-nan', 'amount'),
  'amount not-nan': f('not-nan', 'amount'),
  'amount lt': f('lt', 'amount', 10.5),
  'ts before 1970 (days, hours)': f('lt', 'ts', '1970-01-01T00:00:00+00:00'),
  'ts eq 1969': f('eq', 'ts', '1969-12-31T10:30:00+00:00'),
  'ts gt-eq': f('gt-eq', 'ts', '2024-01-03T00:00:00+00:00'),
  'and category id': { type: 'and', left: f('eq', 'category', 'a'), right: f('lt', 'id', 20) },
  'or category id': { type: 'or', left: f('eq', 'category', 'b'), right: f('gt', 'id', 120) },
  'not and': { type: 'not', child: { type: 'and', left: f('not-null', 'category'), right: f('lt', 'id', 70) } },
  false: false,
};
const PART_EVOLVED = {
  'label starts-with (truncate[2])': f('starts-with', 'label', 'na'),
  'label starts-with long prefix': f('starts-with', 'label', 'name_1'),
  'label not-starts-with': f('not-starts-with', 'label', 'merged'),
  'label eq': f('eq', 'label', 'name_3'),
  'score eq (added column)': f('eq', 'score', 7),
  'score is-null': f('is-null', 'score'),
  'score gt': f('gt', 'score', 5),
};
const PART_OLD_SCHEMA = { 'name starts-with': f('starts-with', 'name', 'name_7'), 'name eq': f('eq', 'name', 'name_3') };
const SMALL = {
  empty: true,
  'id eq': f('eq', 'id', 61),
  'id lt': f('lt', 'id', 30),
  'id in': f('in', 'id', [3, 4, 63, 95]),
  'category eq': f('eq', 'category', 'a'),
  'category not-eq': f('not-eq', 'category', 'a'),
  'v gt': f('gt', 'v', 110),
  'v eq (equality-delete column)': f('eq', 'v', 3),
  'v in': f('in', 'v', [5, 6, 16]),
  or: { type: 'or', left: f('eq', 'category', 'b'), right: f('gt-eq', 'id', 90) },
};

const BATTERY: Record<string, Record<string, Filter[]>> = {
  t_part: {
    current: named({ ...PART_COMMON, ...PART_EVOLVED }),
    snapshot: named({ ...PART_COMMON, ...PART_OLD_SCHEMA }),
    branch: named({ ...PART_COMMON, ...PART_EVOLVED }),
  },
  t_v3: { current: named(SMALL), snapshot: named(SMALL) },
  t_eq: { current: named(SMALL), snapshot: named(SMALL) },
};

interface JavaPlan {
  table: string;
  target: string;
  name: string;
  snapshot_id: string;
  tasks: Array<[string, string[]]>;
  /** Java's planning threw. */
  error?: string;
}

/**
 * Iceberg Java 1.11 cannot plan these: `in` on a string partition column that has a null partition value throws
 * a NullPointerException (Evaluator.in asks a CharSequenceSet whether it contains null). The test asserts that
 * failure, and compares Lakegate's plan of the filter with Java's plan of the equivalent filter named here.
 */
const JAVA_FAILS: Record<string, string> = { 'category in': 'category eq or eq' };

let minio: Minio;
let server: ServerProcess;
let send: Send;
let plans: JavaPlan[] = [];
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('spark.sh')]);
  expect(install.status, install.stderr).toBe(0);
  tmp = tempDir('lakegate-oracle-');
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const engine = await createGrantedPrincipal(server, 'spark', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
  const filtersFile = path.join(tmp.dir, 'filters.json');
  await writeFile(filtersFile, JSON.stringify(BATTERY));
  const env = {
    CATALOG_URI: server.url,
    CATALOG_WAREHOUSE: 'lake',
    CATALOG_CREDENTIAL: engine.credential,
    CATALOG_OAUTH2_SERVER_URI: `${server.url}/v1/oauth/tokens`,
    SPARK_NAMESPACE: NAMESPACE,
    FILTERS_FILE: filtersFile,
  };
  const run = await runSparkJob('planning_oracle', env, { timeoutMs: 15 * 60_000 });
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
  const summary = lines.find((l) => l.summary);
  expect(summary, `spark (exit ${run.status}):\n${run.stdout.slice(-5000)}\n${run.stderr.slice(-10_000)}`).toMatchObject({ ok: true });
  plans = lines.filter((l) => l.plan).map((l) => l.plan as JavaPlan);
}, 20 * 60_000);

afterAll(async () => {
  await server?.stop();
  await minio?.stop();
  tmp?.cleanup();
});

const storage = () => new S3ObjectStorage({ bucket: BUCKET, endpoint: minio.endpoint, region: 'us-east-1', pathStyle: true, credentials: MINIO_ROOT });

async function lakegatePlan(p: JavaPlan, filter: unknown): Promise<{ tasks: Array<[string, string[]]>; pruned: number }> {
  const loaded = await send('GET', `/v1/lake/namespaces/${NAMESPACE}/tables/${p.table}`);
  expect(loaded.status).toBe(200);
  const metadata = loaded.body.metadata;
  const snapshot = metadata.snapshots.find((s: any) => String(s['snapshot-id']) === p.snapshot_id);
  expect(snapshot, `snapshot ${p.snapshot_id} of ${p.table}`).toBeDefined();
  // As Java's scans do: a snapshot (time travel) is read with its own schema; the main branch and branches with the table's.
  const schemaId = p.target === 'snapshot' ? snapshot['schema-id'] : metadata['current-schema-id'];
  const schema = metadata.schemas.find((s: Schema) => s['schema-id'] === schemaId) as Schema;
  const reader = new ManifestReader(storage(), [metadata.location]);
  const plan = await planFiles(reader, snapshot['manifest-list'], bindFilter(filter, schema, true), {
    specs: metadata['partition-specs'] as PartitionSpec[],
    schema,
  });
  const tasks = plan.tasks
    .map((t) => [t.file.filePath, t.deletes.map((d) => d.filePath).sort()] as [string, string[]])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { tasks, pruned: plan.filesPruned + (plan.manifestsSkipped ?? 0) };
}

describe("Lakegate's planFiles equals Iceberg Java 1.11's client-side planning", () => {
  for (const [table, targets] of Object.entries(BATTERY)) {
    for (const [target, filters] of Object.entries(targets)) {
      it(`${table} at ${target}: ${filters.length} filters`, async () => {
        const mismatches: string[] = [];
        let withDeletes = 0;
        for (const { name, filter } of filters) {
          let java = plans.find((p) => p.table === table && p.target === target && p.name === name);
          expect(java, `Java plan of ${table}/${target}/${name}`).toBeDefined();
          if (java!.error !== undefined) {
            expect(JAVA_FAILS[name], `Java failed to plan ${table}/${target}/${name}: ${java!.error}`).toBeDefined();
            expect(java!.error).toMatch(/NullPointerException[\s\S]*CharSequenceSet\.contains/);
            console.info(
              `Iceberg Java 1.11 could not plan ${table}/${target}/${name} (NullPointerException in CharSequenceSet.contains); compared with its plan of ${JAVA_FAILS[name]}`,
            );
            java = plans.find((p) => p.table === table && p.target === target && p.name === JAVA_FAILS[name]);
            expect(java?.error, `Java plan of the equivalent ${JAVA_FAILS[name]}`).toBeUndefined();
          }
          const ours = await lakegatePlan(java!, filter);
          if (JSON.stringify(ours.tasks) !== JSON.stringify(java!.tasks)) {
            const key = (t: [string, string[]]) => JSON.stringify(t);
            const javaKeys = new Set(java!.tasks.map(key));
            const ourKeys = new Set(ours.tasks.map(key));
            mismatches.push(
              `${name}: only Java ${JSON.stringify(java!.tasks.filter((t) => !ourKeys.has(key(t))))}; only Lakegate ${JSON.stringify(ours.tasks.filter((t) => !javaKeys.has(key(t))))}`,
            );
          }
          withDeletes += java!.tasks.filter(([, d]) => d.length > 0).length;
        }
        expect(mismatches).toEqual([]);
        // The older snapshots predate every row-level delete; the current state and the branch have some.
        if (target !== 'snapshot') expect(withDeletes, 'the corpus has delete files to attach').toBeGreaterThan(0);
      });
    }
  }

  it('the corpus has what the oracle claims to cover: specs, deletion vectors, equality and position deletes, pruning', async () => {
    const full = (table: string, target = 'current') => plans.find((p) => p.table === table && p.target === target && p.name === 'empty')!;
    const deletes = (table: string, target = 'current') => new Set(full(table, target).tasks.flatMap(([, d]) => d));
    expect([...deletes('t_v3')].some((d) => d.endsWith('.puffin'))).toBe(true);
    expect([...deletes('t_part')].length).toBeGreaterThan(1);
    expect([...deletes('t_eq')].length).toBe(2); // the global one and one on category 'a'; the third (v = 5000) overlaps no data file
    const part = await send('GET', `/v1/lake/namespaces/${NAMESPACE}/tables/t_part`);
    expect(part.body.metadata['partition-specs'].length).toBeGreaterThanOrEqual(3);
    expect(part.body.metadata.schemas.length).toBeGreaterThanOrEqual(3);
    // Selective filters prune: Java keeps fewer files than the full scan, and so does Lakegate.
    const selective = plans.find((p) => p.table === 't_part' && p.target === 'current' && p.name === 'category eq')!;
    expect(selective.tasks.length).toBeLessThan(full('t_part').tasks.length);
    expect((await lakegatePlan(selective, f('eq', 'category', 'a'))).pruned).toBeGreaterThan(0);
  });
});
