/**
 * Row-filter and column-mask policies enforced by the catalog for Spark (issue 53): Spark 4.1 + Iceberg 1.11
 * (peers/spark/policies.py) writes a table partitioned by region on MinIO with merge-on-read position deletes, then
 * reads it in server planning mode, with the plan answers' credentials only, as three principals: unrestricted, one
 * region with the email and birth date masked, and a non-partition filter. Each reads exactly what its policy
 * allows, deletes applied (compared here with the writer's rows, filtered and masked by the test); the restricted
 * plans named derived files only. The same rows in a format-version 3 table whose merge-on-read DELETEs write deletion
 * vectors (Puffin, written by Iceberg Java) are read the same way: the catalog applies the DVs while deriving, and
 * every reader sees each row's `_row_id` as the writer does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { type CreatedPrincipal, createGrantedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { runSparkJob } from '../support/spark-session.js';
import { runAsync, tempDir } from '../support/temp.js';

const BUCKET = 'lakegate-policies-spark';
const POLICIES = (table: string) => `/management/v1/warehouses/lake/namespaces/crm/tables/${table}/policies`;
const temp = tempDir();
let minio: Minio;
let server: ServerProcess;
let admin: Send;
const principals: Record<string, CreatedPrincipal> = {};

type Row = [number, string, string | null, string | null];

beforeAll(async () => {
  const install = runAsync('bash', [peerScript('spark.sh')]);
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({});
  admin = httpSender(server.url, await server.token());
  const created = await admin('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const scope = { type: 'warehouse' as const, warehouse: 'lake' };
  principals.writer = await createGrantedPrincipal(server, 'spark-policy-writer', [...READ_WRITE_ALL, 'table:read-data'], scope);
  principals.analyst = await createGrantedPrincipal(server, 'spark-policy-analyst', READ_ONLY, scope);
  principals.scorer = await createGrantedPrincipal(server, 'spark-policy-scorer', READ_ONLY, scope);
  const installed = await install;
  expect(installed.status, installed.stderr).toBe(0);
}, 15 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
  temp.cleanup();
});

const maskAlphanum = (s: string | null) => (s === null ? null : s.replace(/[A-Z]/g, 'X').replace(/[a-z]/g, 'x').replace(/[0-9]/g, 'n'));
const toYear = (iso: string | null) => (iso === null ? null : `${iso.slice(0, 4)}-01-01`);

/** Runs the job; `onWritten` runs when the table is written, before the readers read. Answers the job's JSON lines. */
async function runJob(onWritten: () => Promise<void>): Promise<{ status: number | null; lines: Array<Record<string, any>>; output: string }> {
  const ready = path.join(temp.dir, 'policies-ready');
  const env = {
    CATALOG_URI: server.url,
    CATALOG_WAREHOUSE: 'lake',
    WRITER_CREDENTIAL: principals.writer!.credential,
    READER_CREDENTIALS: JSON.stringify({
      everyone: principals.writer!.credential,
      analyst: principals.analyst!.credential,
      scorer: principals.scorer!.credential,
    }),
    POLICY_READY: ready,
  };
  let written: Promise<void> | undefined;
  let failed: { error: unknown } | undefined;
  const run = await runSparkJob('policies', env, {
    timeoutMs: 12 * 60_000,
    onLine(line) {
      // The job waits for the ready file while the test sets the policies; if that fails, the job is let go on at once
      // and the test fails with that error.
      if (!written && line.startsWith('{"step": "written"'))
        written = onWritten()
          .catch((error: unknown) => void (failed = { error }))
          .then(() => fs.writeFileSync(ready, 'ok'));
    },
  });
  await written;
  if (failed) throw failed.error;
  return {
    status: run.status,
    lines: run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>),
    output: `${run.stdout}\n${run.stderr.slice(-20_000)}`,
  };
}

it(
  'Spark in server planning mode reads exactly the rows and values each principal’s policy allows, deletes applied',
  async () => {
    const job = await runJob(async () => {
      const analystRole = `${principals.analyst!.id}-role`;
      for (const table of ['people', 'people_v3']) {
        for (const body of [
          { kind: 'row-filter', roles: [analystRole], filter: { type: 'eq', term: 'region', value: 'eu' } },
          {
            kind: 'column-mask',
            roles: [analystRole],
            masks: [
              { column: 'email', action: 'mask-alphanum' },
              { column: 'born', action: 'truncate-to-year' },
            ],
          },
          { kind: 'row-filter', roles: [`${principals.scorer!.id}-role`], filter: { type: 'gt-eq', term: 'id', value: 15 } },
        ]) {
          const r = await admin('POST', POLICIES(table), body);
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        }
      }
    });
    const summary = job.lines.find((l) => l.summary);
    expect(summary, job.output).toMatchObject({ ok: true, failed: 0 });
    expect(summary!.delete_files, job.output).toBeGreaterThan(0);
    const read = (step: string) => job.lines.find((l) => l.step === step)!.rows as Row[];
    const all = read('written');
    // 30 rows written, 3 deleted (position deletes): every reader sees the deletes applied.
    expect(all).toHaveLength(27);
    expect(all.map((r) => r[0])).not.toContain(12);
    expect(read('read:everyone')).toEqual(all);
    expect(read('read:analyst')).toEqual(all.filter((r) => r[1] === 'eu').map(([id, region, email, born]) => [id, region, maskAlphanum(email), toYear(born)]));
    expect(read('read:scorer')).toEqual(all.filter((r) => r[0] >= 15));
    // The v3 table: its deletes are deletion vectors only, the second DELETE's DVs replacing the first's.
    expect(summary!.v3_delete_formats, job.output).toEqual(['PUFFIN']);
    const readV3 = (step: string) => job.lines.find((l) => l.step === step)!.rows_v3 as Row[];
    const allV3 = readV3('written');
    const expectedIds = Array.from({ length: 30 }, (_, i) => i).filter((i) => ![3, 12, 24].includes(i) && i % 5 !== 4);
    expect(allV3.map((r) => r[0])).toEqual(expectedIds);
    expect(allV3).toEqual(all.filter((r) => expectedIds.includes(r[0])));
    expect(readV3('read:everyone')).toEqual(allV3);
    expect(readV3('read:analyst')).toEqual(
      allV3.filter((r) => r[1] === 'eu').map(([id, region, email, born]) => [id, region, maskAlphanum(email), toYear(born)]),
    );
    expect(readV3('read:scorer')).toEqual(allV3.filter((r) => r[0] >= 15));
    // Row lineage (restricted.ts): each restricted reader's rows have the _row_id the writer sees, though the derived
    // files dropped rows before them, and the lineage an unrestricted reader planning on the server sees. (Iceberg Java
    // 1.11 reads _last_updated_sequence_number as null in server planning mode, restricted or not: a plan's data-file
    // JSON has no data sequence number, and its reader gives null lineage without one.)
    const lineage = (step: string) => job.lines.find((l) => l.step === step)!.lineage_v3 as [number, number, number][];
    const truth = lineage('written');
    expect(truth.map((l) => l[0])).toEqual(expectedIds);
    expect(truth.every(([, rowId, seq]) => Number.isInteger(rowId) && Number.isInteger(seq))).toBe(true);
    expect(new Set(truth.map((l) => l[1])).size).toBe(truth.length);
    const ids = (step: string) => lineage(step).map(([id, rowId]) => [id, rowId]);
    expect(ids('read:everyone')).toEqual(truth.map(([id, rowId]) => [id, rowId]));
    const everyone = lineage('read:everyone');
    expect(lineage('read:analyst')).toEqual(everyone.filter((l) => allV3.find((r) => r[0] === l[0])![1] === 'eu'));
    expect(lineage('read:scorer')).toEqual(everyone.filter((l) => l[0] >= 15));
    // The restricted plans were answered with derived files only: the audit trail's plan records name their policies.
    const audit = await admin('GET', '/management/v1/audit?limit=1000');
    const plans = (audit.body.events as Array<{ type: string; actor: string; detail: { policies?: string[] } }>).filter((e) => e.type === 'table.plan');
    for (const who of ['analyst', 'scorer']) {
      const own = plans.filter((e) => e.actor.includes(principals[who]!.id));
      expect(own.length, who).toBeGreaterThan(0);
      for (const e of own) expect(e.detail.policies?.length, who).toBeGreaterThan(0);
    }
    expect(plans.filter((e) => e.actor.includes(principals.writer!.id)).every((e) => e.detail.policies === undefined)).toBe(true);
  },
  15 * 60_000,
);
