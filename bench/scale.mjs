#!/usr/bin/env node
/**
 * Scale: does Lakegate stay flat at a million tables? For SQLite and PostgreSQL it builds a
 * catalog of 2×10⁶ tables (10⁶ spread over 10³ namespaces of 10³ tables, and 10⁶ more in one
 * namespace) and a baseline catalog of the same shape with 10³ tables in each layout, then measures
 * loadTable of a random table and the first page of listTables of a random namespace, at 16
 * connections, pinned (load generator on CPU 0, server and its PostgreSQL on CPU 1), and the
 * server's memory. Writes docs/benchmarks-scale.md.
 *
 *   node bench/scale.mjs [--tables 1000000] [--namespaces 1000] [--databases sqlite,postgres]
 *                        [--duration 5] [--out docs/benchmarks-scale.md] [--cpu-prof DIR]
 *                        [--ops "loadTable one,listTables spread"] [--no-doc]
 *
 * Seeding: one table is created through the REST API (its metadata file is real); then the bulk
 * path writes the catalog rows directly, in batches inside transactions (SQLite: one prepared
 * statement; PostgreSQL: one multi-row INSERT … SELECT FROM unnest per batch), every row a table of
 * its own (own id, uuid, location) whose metadata is a copy of that table's. What the catalog then
 * does with these rows (lookups, keyset listing, authorization of namespaces it never saw) is
 * exactly what it does with tables created one by one. The seed rate is reported. PostgreSQL is then
 * vacuumed and analysed, as autovacuum leaves a settled database (statistics, and a visibility map that
 * lets listings be index-only scans); without it autovacuum did that work during the cells, on the
 * server's core.
 */
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getRequest, runCell } from './lib/load.mjs';
import { NCPU, REPO_ROOT, cpuSets, log, procRssMiB, setOwnAffinity, sh, stopChild } from './lib/proc.mjs';
import { call, seedSchema, seedSpec } from './lib/seed.mjs';
import { startLakegate, startPostgresCluster } from './lib/servers.mjs';
import { benchArgs } from './lib/args.mjs';

const require = createRequire(path.join(REPO_ROOT, 'packages', 'server', 'package.json'));
const { values: opt } = benchArgs(import.meta.url, {
  options: {
    tables: { type: 'string', default: '1000000' },
    namespaces: { type: 'string', default: '1000' },
    baseline: { type: 'string', default: '1000' },
    databases: { type: 'string', default: 'sqlite,postgres' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    out: { type: 'string', default: path.join(REPO_ROOT, 'docs', 'benchmarks-scale.md') },
    'no-doc': { type: 'boolean', default: false },
    /** Only these operations (comma-separated, e.g. "loadTable one"): to profile one of them. */
    ops: { type: 'string' },
    /** A directory: each Lakegate server writes a V8 CPU profile there (--cpu-prof) when it stops. */
    'cpu-prof': { type: 'string' },
  },
});
const CFG = {
  tables: Number(opt.tables),
  namespaces: Number(opt.namespaces),
  baseline: Number(opt.baseline),
  databases: opt.databases.split(','),
  duration: Number(opt.duration),
  warmup: Number(opt.warmup),
  conns: Number(opt.connections),
};
const BATCH = 5_000;
const cpus = cpuSets('pinned');
if (cpus) setOwnAffinity(cpus.client);

const nsName = (i) => `s${String(i).padStart(4, '0')}`;
const tableName = (i) => `t${String(i).padStart(7, '0')}`;

/**
 * The catalog's shape for `total` tables per layout: `spread` namespaces of total/spread tables
 * each, and namespace `one` holding `total` tables.
 */
function shape(total, spread) {
  return { total, spread, perNs: Math.ceil(total / spread) };
}

/** Rows in batches: for each table of both layouts, [namespace, name]. */
function* batches(s) {
  let batch = [];
  for (let n = 0; n < s.spread; n++) {
    for (let t = 0; t < s.perNs && n * s.perNs + t < s.total; t++) {
      batch.push([nsName(n), tableName(t)]);
      if (batch.length === BATCH) yield batch.splice(0);
    }
  }
  for (let t = 0; t < s.total; t++) {
    batch.push(['one', tableName(t)]);
    if (batch.length === BATCH) yield batch.splice(0);
  }
  if (batch.length) yield batch;
}

const SEP = '\u001f';
const cols = ['id', 'warehouse', 'namespace', 'name', 'kind', 'uuid', 'location', 'metadata_location', 'metadata', 'created_at', 'updated_at'];
const nsCols = ['id', 'warehouse', 'name', 'parent', 'properties', 'created_at'];

/** The template rows made through the API: the namespace `tpl` and its table `t`. */
async function readTemplate(db) {
  const ns = await db.one(`select ${nsCols.join(', ')} from namespaces where name = 'tpl'`);
  const obj = await db.one(`select ${cols.join(', ')} from catalog_objects where namespace = 'tpl' and name = 't'`);
  if (!ns || !obj) throw new Error('template table not found');
  return { ns, obj };
}

function objectRow(tpl, namespace, name, now) {
  const location = `${tpl.obj.location.replace(/\/tpl\/t[^/]*$/, '')}/${namespace}/${name}`;
  return [
    crypto.randomUUID(),
    tpl.obj.warehouse,
    namespace,
    name,
    'table',
    crypto.randomUUID(),
    location,
    tpl.obj.metadata_location,
    tpl.obj.metadata,
    now,
    now,
  ];
}

/** SQLite, synchronously through better-sqlite3 (the server is stopped meanwhile). */
function sqliteDb(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  return {
    one: async (sql) => db.prepare(sql).get(),
    async insert(table, names, rows) {
      const stmt = db.prepare(`insert into ${table} (${names.join(', ')}) values (${names.map(() => '?').join(', ')})`);
      db.transaction(() => {
        for (const r of rows) stmt.run(...r);
      })();
    },
    close: async () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/** PostgreSQL through pg: one INSERT … SELECT FROM unnest($1, $2, …) per batch. */
async function postgresDb(url) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const types = { created_at: 'bigint', updated_at: 'bigint' };
  return {
    one: async (sql) => (await client.query(sql)).rows[0],
    async insert(table, names, rows) {
      const arrays = names.map((_, i) => rows.map((r) => r[i]));
      const sql = `insert into ${table} (${names.join(', ')}) select * from unnest(${names.map((n, i) => `$${i + 1}::${types[n] ?? 'text'}[]`).join(', ')})`;
      await client.query(sql, arrays);
    },
    close: async () => {
      // A settled database, as autovacuum leaves one: statistics, and the visibility map set so that listings
      // are index-only scans. Without it autovacuum set it during the cells, on the server's core.
      await client.query('vacuum analyze');
      await client.end();
    },
  };
}

async function seed(db, s) {
  const tpl = await readTemplate(db);
  const now = Date.now();
  const t0 = performance.now();
  const nsRows = [...Array.from({ length: s.spread }, (_, i) => nsName(i)), 'one'].map((name) => [
    crypto.randomUUID(),
    tpl.ns.warehouse,
    name,
    tpl.ns.parent,
    '{}',
    now,
  ]);
  await db.insert('namespaces', nsCols, nsRows);
  let n = 0;
  for (const b of batches(s)) {
    await db.insert(
      'catalog_objects',
      cols,
      b.map(([ns, name]) => objectRow(tpl, ns, name, now)),
    );
    n += b.length;
    if (n % 200_000 < BATCH) log(`  seeded ${n.toLocaleString('en-US')} tables`);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { tables: n, namespaces: nsRows.length, seconds, rate: n / seconds };
}

/** The server on `dataDir` (and database), with a granted principal's token. */
async function server(kind, dataDir, database, credential) {
  return startLakegate({ cpus: cpus?.server, dataDir, database, workers: 1, credential, name: `lakegate-${kind}`, cpuProf: opt['cpu-prof'] });
}

async function measure(srv, s, label) {
  const { base } = srv;
  const rnd = (n) => Math.floor(Math.random() * n);
  const ops = {
    'loadTable spread': () => getRequest(srv, `${base}/namespaces/${nsName(rnd(s.spread))}/tables/${tableName(rnd(s.perNs))}`),
    'loadTable one': () => getRequest(srv, `${base}/namespaces/one/tables/${tableName(rnd(s.total))}`),
    // The first page: a request without pageToken answers the whole listing (Iceberg spec).
    'listTables spread': () => getRequest(srv, `${base}/namespaces/${nsName(rnd(s.spread))}/tables?pageSize=100&pageToken=`),
    'listTables one': () => getRequest(srv, `${base}/namespaces/one/tables?pageSize=100&pageToken=`),
    // Opt-in (--ops): the whole namespace in one answer, streamed.
    ...(opt.ops?.includes('listTables whole one') ? { 'listTables whole one': () => getRequest(srv, `${base}/namespaces/one/tables`) } : {}),
  };
  const out = {};
  for (const [op, make] of Object.entries(ops)) {
    if (opt.ops && !opt.ops.split(',').includes(op)) continue;
    await runCell(srv, make, CFG.conns, CFG.warmup, { record: false });
    const r = await runCell(srv, make, CFG.conns, CFG.duration);
    if (r.errors > 0) throw new Error(`${label} ${op}: ${r.errors} errors ${JSON.stringify(r.statusCounts)} ${r.errorSamples.join(' | ')}`);
    out[op] = r;
    log(`${label} ${op}: ${Math.round(r.throughput)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${Math.round(r.serverCpuPerReqUs)} µs/req`);
  }
  // The server's own processes (one: --workers 1); its PostgreSQL is not among them.
  out.rss = Math.max(...srv.pids().map((p) => procRssMiB(p, 'VmRSS')));
  out.hwm = Math.max(...srv.pids().map((p) => procRssMiB(p, 'VmHWM')));
  return out;
}

/** One database kind: baseline and large catalogs, each built, measured and dropped. */
async function run(kind) {
  const results = {};
  const cluster = kind === 'postgres' ? await startPostgresCluster({ cpus: cpus?.server }) : undefined;
  try {
    for (const [label, s] of [
      ['baseline', shape(CFG.baseline, Math.max(1, Math.round(CFG.baseline / 100)))],
      ['large', shape(CFG.tables, CFG.namespaces)],
    ]) {
      const database = cluster?.createDatabase('scale');
      let srv = await server(kind, undefined, database);
      await call(srv, 'POST', '/namespaces', { namespace: ['tpl'] });
      await call(srv, 'POST', '/namespaces/tpl/tables', { name: 't', schema: seedSchema, 'partition-spec': seedSpec });
      const { dataDir, credential } = srv;
      await stopChild(srv.child);
      log(`${kind} ${label}: seeding ${(2 * s.total).toLocaleString('en-US')} tables (${s.spread} namespaces of ${s.perNs} + one namespace of ${s.total})`);
      const db = kind === 'postgres' ? await postgresDb(database) : sqliteDb(path.join(dataDir, 'catalog.sqlite'));
      const seeded = await seed(db, s);
      await db.close();
      log(
        `${kind} ${label}: seeded ${seeded.tables.toLocaleString('en-US')} tables in ${seeded.seconds.toFixed(1)} s (${Math.round(seeded.rate).toLocaleString('en-US')}/s)`,
      );
      const size = kind === 'postgres' ? sh('du', ['-sh', cluster.dir]).split('\t')[0] : sh('du', ['-sh', path.join(dataDir, 'catalog.sqlite')]).split('\t')[0];
      const t0 = performance.now();
      srv = await server(kind, dataDir, database, credential);
      const startSeconds = (performance.now() - t0) / 1000;
      results[label] = { shape: s, seeded, size, startSeconds, ...(await measure(srv, s, `${kind} ${label}`)) };
      await stopChild(srv.child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    cluster?.stop();
  }
  return results;
}

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');

function report(all) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p('# Benchmarks: a million tables');
  p();
  p(
    `Generated by \`node bench/scale.mjs\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} at commit ${sh('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'])}. Do not edit by hand.`,
  );
  p();
  p(
    `Machine: ${NCPU} vCPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}. Pinned: load generator on CPU 0, Lakegate (one process, \`--workers 1\`) and its PostgreSQL on CPU ${cpus?.server ?? '(not pinned)'}. Every request carries the token of a non-admin principal holding read-write grants on the warehouse (through a role), as in [benchmarks.md](benchmarks.md).`,
  );
  p();
  p(
    'Method: see the head of `bench/scale.mjs`. Each catalog holds two layouts: *spread* (namespaces `s0000…` of equal size) and *one* (a single namespace). loadTable asks for a random table of the layout each time (so caches of namespace ids and decisions see a new object nearly every time at scale); listTables asks for the first page (`pageSize=100`) of a random namespace (*spread*) or of the single one (*one*). Listings are keyset-paged (`name > last` through the primary key), never OFFSET. ' +
      `${CFG.conns} connections, ${CFG.warmup} s warm-up and ${CFG.duration} s measured per cell. Memory is the server process's resident set after the cells (and its peak).`,
  );
  p();
  for (const [kind, r] of Object.entries(all)) {
    const b = r.baseline;
    const l = r.large;
    p(`## ${kind === 'postgres' ? 'PostgreSQL' : 'SQLite'}`);
    p();
    p('| catalog | tables | namespaces | seed rate (tables/s) | database size | server start s |');
    p('|---|--:|--:|--:|--:|--:|');
    for (const [name, x] of [
      ['baseline', b],
      ['large', l],
    ])
      p(`| ${name} | ${int(x.seeded.tables)} | ${int(x.seeded.namespaces)} | ${int(x.seeded.rate)} | ${x.size} | ${fmt(x.startSeconds, 1)} |`);
    p();
    p('| operation | baseline req/s | p99 ms | large req/s | p99 ms | p99 large/baseline | aim ≤ 1.3× |');
    p('|---|--:|--:|--:|--:|--:|:-:|');
    for (const op of ['loadTable spread', 'loadTable one', 'listTables spread', 'listTables one']) {
      if (!l[op] || !b[op]) continue;
      const ratio = l[op].p99 / b[op].p99;
      p(
        `| ${op} | ${int(b[op].throughput)} | ${fmt(b[op].p99)} | ${int(l[op].throughput)} | ${fmt(l[op].p99)} | ${fmt(ratio)}× | ${ratio <= 1.3 ? 'yes' : '**no**'} |`,
      );
    }
    p();
    p(
      `Server memory with the large catalog: ${int(l.rss)} MiB resident after the cells, ${int(l.hwm)} MiB peak (aim < 512 MiB: ${l.hwm < 512 ? 'met' : '**not met**'}); with the baseline ${int(b.rss)} MiB.`,
    );
    p();
  }
  return lines.join('\n');
}

const all = {};
for (const kind of CFG.databases) all[kind] = await run(kind);
const text = report(all);
process.stdout.write(`${text}\n`);
if (!opt['no-doc']) fs.writeFileSync(opt.out, `${text}\n`);
fs.writeFileSync(path.join(os.tmpdir(), `lakegate-scale-${Date.now()}.json`), JSON.stringify({ CFG, all }, null, 1));
process.exit(0);
