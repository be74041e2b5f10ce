/** Tables, ratios, aims and the markdown report of bench/run.mjs (also re-rendered from saved JSON with --report). */
import os from 'node:os';
import { isSuccess, median } from './load.mjs';
import { NCPU } from './proc.mjs';
import { COMMIT_NS, LIST_TABLES, LOAD_TABLE, NS, READ_OPS, SNAPSHOTS } from './seed.mjs';

export const fmtRate = (x) => (Number.isFinite(x) ? (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)) : '–');
export const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '–');
export const fmtRatio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const fmtUs = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const fmtPct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–');
const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;

const LABEL = {
  lakegate: 'Lakegate SQLite',
  'lakegate-pg': 'Lakegate PostgreSQL',
  'lakegate-workers': 'Lakegate --workers',
  fixture: 'fixture',
  fastify: 'Fastify floor',
  bare: 'bare-Node limit',
};
const SHORT = { lakegate: 'LG', 'lakegate-pg': 'PG', 'lakegate-workers': 'LG×N', fixture: 'FX', fastify: 'FY', bare: 'bare' };
const label = (config, s) => (s === 'lakegate-workers' ? `Lakegate --workers ${config.workers}` : LABEL[s]);

/**
 * The representative run of a cell. All servers of a cell run back to back in each repetition; of
 * the repetitions, the one whose runs saw the least CPU use by other processes (`noise`) is
 * reported, every server from that same repetition, with its own p50/p99 (never mixed across runs).
 * Also: the throughput range and the errors summed over all repetitions.
 */
export function pick(results, layout, server, op, c) {
  const cell = results.filter((r) => r.layout === layout && r.op === op && r.concurrency === c);
  const reps = cell.filter((r) => r.server === server);
  if (!reps.length) return undefined;
  const noiseOfRep = (rep) => Math.max(...cell.filter((r) => r.rep === rep).map((r) => r.otherCpu));
  const chosen = [...reps].sort((a, b) => noiseOfRep(a.rep) - noiseOfRep(b.rep) || a.rep - b.rep)[0];
  const tp = reps.map((r) => r.throughput);
  return {
    ...chosen,
    reps: reps.length,
    noise: noiseOfRep(chosen.rep),
    minThroughput: Math.min(...tp),
    maxThroughput: Math.max(...tp),
    medianThroughput: median(tp),
    medianCpuPerReq: median(reps.map((r) => r.serverCpuPerReqUs).filter(Number.isFinite)),
    errorsAll: reps.reduce((a, r) => a + r.errors, 0),
  };
}

const serversIn = (config, results, layout) => config.servers.filter((s) => results.some((r) => r.layout === layout && r.server === s));

function stdoutTable(config, results, layout) {
  const servers = serversIn(config, results, layout);
  const rows = [['op', 'conns', ...servers.flatMap((s) => [`${SHORT[s]} req/s`, 'p99', 'µs/req']), 'noise']];
  for (const op of config.ops) {
    for (const c of config.concurrency) {
      const picked = servers.map((s) => pick(results, layout, s, op, c));
      rows.push([
        op,
        String(c),
        ...picked.flatMap((a) => [fmtRate(a?.throughput), fmtMs(a?.p99), fmtUs(a?.serverCpuPerReqUs)]),
        Math.max(...picked.map((a) => a?.noise ?? 0)).toFixed(2),
      ]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((x, i) => (i < 2 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ')).join('\n');
}

/** The aims of issue 13 (and the earlier loadTable-vs-fixture aims), from the reported runs. */
export function aims(config, results, layout) {
  const out = [];
  const has = (s) => results.some((r) => r.layout === layout && r.server === s);
  const at = (s, op, c) => pick(results, layout, s, op, c);
  const conns = config.concurrency.filter((c) => c >= 16);
  const ok = (...xs) => xs.every((x) => x && x.errorsAll === 0);
  if (has('bare') && layout === 'pinned') {
    for (const [op, bound] of [
      ['loadTable', 2],
      ['config', 1.5],
    ]) {
      for (const c of conns) {
        const a = at('lakegate', op, c);
        const b = at('bare', op, c);
        if (!a || !b) continue;
        const r = a.serverCpuPerReqUs / b.serverCpuPerReqUs;
        // What the framework alone costs against the same limit: the part of the ratio no Lakegate change can remove.
        const f = at('fastify', op, c);
        const floor = f ? `; Fastify floor alone ${(f.serverCpuPerReqUs / b.serverCpuPerReqUs).toFixed(2)}×` : '';
        out.push({
          aim: `${op} CPU per request ≤ ${bound}× the bare-Node limit's at ${c} connections`,
          value: `${r.toFixed(2)}× (${fmtUs(a.serverCpuPerReqUs)} vs ${fmtUs(b.serverCpuPerReqUs)} µs${floor})`,
          met: r <= bound && ok(a, b),
        });
        if (op === 'loadTable') {
          const t = a.throughput / b.throughput;
          out.push({ aim: `loadTable throughput ≥ 50% of the bare-Node limit's at ${c} connections`, value: fmtPct(t), met: t >= 0.5 && ok(a, b) });
        }
      }
    }
  }
  if (has('fixture')) {
    for (const c of config.concurrency) {
      const a = at('lakegate', 'loadTable', c);
      const b = at('fixture', 'loadTable', c);
      if (a && b)
        out.push({
          aim: `loadTable throughput ≥ 2× fixture at ${plural(c, 'connection')}`,
          value: fmtRatio(a.throughput, b.throughput),
          met: a.throughput / b.throughput >= 2 && ok(a),
        });
    }
    for (const c of conns) {
      const a = at('lakegate', 'listTables', c);
      const b = at('fixture', 'listTables', c);
      if (a && b)
        out.push({
          aim: `listTables throughput ≥ 2× fixture at ${c} connections`,
          value: fmtRatio(a.throughput, b.throughput),
          met: a.throughput / b.throughput >= 2 && ok(a),
        });
    }
  }
  if (has('lakegate-pg')) {
    for (const op of config.ops.filter((o) => READ_OPS.includes(o))) {
      for (const c of conns) {
        const a = at('lakegate', op, c);
        const b = at('lakegate-pg', op, c);
        if (a && b)
          out.push({
            aim: `PostgreSQL within 1.3× of SQLite: ${op} at ${c} connections (SQLite/PostgreSQL req/s)`,
            value: fmtRatio(a.throughput, b.throughput),
            met: a.throughput / b.throughput <= 1.3 && ok(a, b),
          });
      }
    }
  }
  const maxC = config.concurrency.includes(64) ? 64 : Math.max(...config.concurrency);
  for (const s of ['lakegate', 'lakegate-workers']) {
    const a = at(s, 'loadTable', maxC);
    if (a)
      out.push({ aim: `loadTable p99 < 10 ms at ${plural(maxC, 'connection')} (${label(config, s)})`, value: `${fmtMs(a.p99)} ms`, met: a.p99 < 10 && ok(a) });
  }
  return out;
}

export function printTables(config, results) {
  for (const layout of config.layouts) {
    process.stdout.write(
      `\n${layout} layout; least-noisy of ${plural(config.repeat, 'run')}, p99 in ms, µs/req = server CPU per request, noise = other processes' CPU in cores\n`,
    );
    process.stdout.write(`${stdoutTable(config, results, layout)}\n`);
    for (const a of aims(config, results, layout)) process.stdout.write(`  aim: ${a.aim}: ${a.value} -> ${a.met ? 'met' : 'NOT met'}\n`);
  }
}

/** How noisy the machine was: spread of repeated runs, other processes' CPU, steal. */
function noiseSection(config, results, layout, p) {
  const servers = serversIn(config, results, layout);
  const rows = [];
  for (const s of servers) {
    const spreads = [];
    for (const op of config.ops)
      for (const c of config.concurrency) {
        const reps = results.filter((r) => r.layout === layout && r.server === s && r.op === op && r.concurrency === c).map((r) => r.throughput);
        if (reps.length > 1) spreads.push((Math.max(...reps) - Math.min(...reps)) / median(reps));
      }
    const runs = results.filter((r) => r.layout === layout && r.server === s);
    rows.push({
      s,
      spread: median(spreads),
      maxSpread: spreads.length ? Math.max(...spreads) : NaN,
      other: median(runs.map((r) => r.otherCpu)),
      otherMax: Math.max(...runs.map((r) => r.otherCpu)),
      steal: median(runs.map((r) => r.steal)),
    });
  }
  p(`| server | throughput spread over repetitions, median (max) | other processes' CPU, median (max) cores | steal, median cores |`);
  p('|---|--:|--:|--:|');
  for (const r of rows)
    p(`| ${label(config, r.s)} | ${fmtPct(r.spread)} (${fmtPct(r.maxSpread)}) | ${r.other.toFixed(2)} (${r.otherMax.toFixed(2)}) | ${r.steal.toFixed(2)} |`);
  p();
}

export function markdown(config, m, results, seeds, warmups, quietWaits) {
  const L = [];
  const p = (s = '') => L.push(s);
  const seedOf = (server) => seeds.find((s) => s.server === server);
  const servers = config.servers.filter((s) => results.some((r) => r.server === s));
  const lgAuth = seeds.some((x) => x.server === 'lakegate' && x.authenticated);
  const principal = seeds.find((x) => x.server === 'lakegate')?.principal;
  p('# Benchmarks: Lakegate vs. the Iceberg REST fixture server and the bare-Node limit');
  p();
  p(
    `Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${m.date}${m.commit ? ` at commit ${m.commit}` : ''}. Do not edit this part by hand: re-run the benchmark (see [Re-running](#re-running)); sections outside it are kept.`,
  );
  p();
  p('## Machine');
  p();
  p(`- ${m.nproc} vCPUs (${m.cpuModel}), ${m.memGiB.toFixed(1)} GiB memory, ${m.kernel}`);
  p(
    `- Node ${m.node}: Lakegate ${m.lakegate}, log level warn, ${lgAuth ? `authentication required (its default): every request carries a bearer token from its built-in issuer${principal === 'granted' ? " of a non-admin service principal holding read-write grants on the warehouse (through a role), so every request goes through authorization as a real client's does" : ' of the admin principal (authorization short-cuts for admins)'}` : 'anonymous (`LAKEGATE_AUTH=disabled`)'}; the fixture has no authentication, the Fastify floor and the bare server none either`,
  );
  p(
    `  - **Lakegate SQLite**: one process on a fresh SQLite data dir under ${os.tmpdir()}${servers.includes('lakegate-workers') ? `; **Lakegate --workers ${config.workers}**: \`lakegate serve --workers ${config.workers}\` on the same kind of SQLite (WAL) file shared by its processes` : ''}`,
  );
  if (servers.includes('lakegate-pg'))
    p(
      `  - **Lakegate PostgreSQL**: one process on ${m.postgres} (a throwaway cluster from \`scripts/peers/postgres.sh\`, fsync off, on 127.0.0.1 TCP); its CPU counts as the server's, and in the pinned layout it runs on the server's core`,
    );
  if (servers.includes('fastify'))
    p(
      "  - **Fastify floor**: `bench/fastify-floor.mjs`, Lakegate's Fastify with Lakegate's server options and route shapes (the Iceberg surface as a plugin under `/v1`, the same path parameters, async handlers), answering each request path with Lakegate's recorded status, headers and body through `reply.send`: no authentication, hooks, logging, database or serialisation. What any application built on Fastify pays per request before doing its own work; Lakegate's CPU above it is Lakegate's own (authentication, authorization, the catalog read, logs, metrics). It replays only the read operations.",
    );
  if (servers.includes('bare'))
    p(
      '  - **bare-Node limit**: `bench/bare-server.mjs`, a plain `node:http` server answering each request path with the exact status, headers and body Lakegate answered it with (recorded after seeding): one Map lookup and one write per response, no parsing, no logging. What any Node server must at least spend on this machine and core for responses of that size: the upper bound for Lakegate. It replays only the read operations.',
    );
  p(
    `- ${m.java}: Apache Iceberg ${m.iceberg} \`RESTCatalogServer\` (JdbcCatalog) via \`scripts/peers/iceberg-java.sh fixture\`, default JVM options, backend \`${config.fixtureUri.replace('{dir}', '<temp dir>')}\` (why: see Method)`,
  );
  p(
    `- The load generator and the servers share these ${m.nproc} vCPUs, and so does anything else running on the machine at the time. The \`noise\` column is the CPU (in cores) that other processes used during the reported runs; absolute numbers from cells with noise above ~0.2 are depressed. The CPU per request of a server (\`µs/req\`) is the steadier measure: ratios are formed from it where the aims speak of cost.`,
  );
  const steals = results.map((r) => r.steal).filter(Number.isFinite);
  const meanSteal = steals.length ? steals.reduce((x, y) => x + y, 0) / steals.length : 0;
  if (meanSteal > 0.1) {
    p(
      `- **Hypervisor steal during this run**: on average ${meanSteal.toFixed(2)} of the ${m.nproc} vCPUs (up to ${Math.max(...steals).toFixed(2)}; column \`steal\`), time in which neither the servers nor the generator could run. Absolute numbers of this run are depressed and not comparable with a run without steal.`,
    );
  }
  p();
  p('## Method');
  p();
  p(
    "- All servers of a layout run for the whole layout. Cells run one at a time; for each (operation, connections) pair the servers run back to back, in an order that rotates with each repetition, so neighbouring numbers saw the same machine state. While one server is warmed up or measured, every other server (and its PostgreSQL) is stopped (SIGSTOP, then SIGCONT): idle servers on the same core still wake up (the JVM's periodic and compiler threads, PostgreSQL's background processes, timers) and disturb the caches of the one measured.",
  );
  p(
    `- Load generator (\`bench/lib/load.mjs\`): one closed loop per connection over raw HTTP/1.1 keep-alive sockets to 127.0.0.1 (no HTTP library, no pipelining, no compression asked for); a connection sends its next request as soon as the previous response is complete. Connections are opened before the clock starts. Each cell runs ${config.duration} s; each group of cells is repeated ${plural(config.repeat, 'time')} and the tables report, for every server, the repetition in which other processes used the least CPU (its own p50/p99, nothing averaged); throughput ranges and medians over all repetitions are in the detail tables.`,
  );
  const wu = (s) => {
    const ws = warmups.filter((w) => w.server === s && w.seconds > 0);
    return ws.length ? `${s} ${Math.min(...ws.map((w) => w.seconds))}–${Math.max(...ws.map((w) => w.seconds))} s` : `${s} none`;
  };
  p(
    `- Warm-up, not measured: before the first cell of each operation each server runs that operation at 16 connections in 2 s slices, at least ${config.warmup} s, until a slice is no longer >5% faster than the best before it (at most ${config.warmupMax} s). The JVM's JIT needs this; the others get the same. Took: ${servers.map(wu).join(', ')}.`,
  );
  if (config.quietWait > 0) {
    const busy = quietWaits.filter((q) => !q.quiet).length;
    p(
      `- Other load: before each group of cells the benchmark waits up to ${config.quietWait} s for a 1 s window in which other processes use < 0.25 cores. ${busy ? `${busy} of ${quietWaits.length} groups never got that quiet and ran anyway (see the \`noise\` column).` : `All ${quietWaits.length} groups started on a quiet machine.`} Total waited: ${quietWaits.reduce((a, q) => a + q.waited, 0).toFixed(0)} s.`,
    );
  }
  p(
    "- Latency: from writing a request to the last byte of its response. Throughput counts successful responses (2xx or 304) per second of the cell. Every other status and every socket error counts as an error and is excluded from latency and throughput. `µs/req`: CPU time of the server's processes (all threads; with PostgreSQL, its processes too) per successful request.",
  );
  p(
    `- Seeding (the same on every server): namespace \`${NS}\` with ${LIST_TABLES} tables (8-column schema, day partition); its table \`${LOAD_TABLE}\` got ${SNAPSHOTS} append snapshots and a property update; namespace \`${COMMIT_NS}\` with ${config.commitTables} tables for commits.`,
  );
  p(
    `  - **config** (baseline): \`GET /v1/config\`, the cheapest request each server answers: what the HTTP stack${lgAuth ? ' (and, for Lakegate, authentication and the warehouse lookup)' : ''} alone costs on this machine.`,
  );
  p(
    `  - **loadTable**: \`GET …/namespaces/${NS}/tables/${LOAD_TABLE}\`, no \`If-None-Match\` (full metadata every time). Response: ${servers
      .filter((s) => seedOf(s))
      .map((s) => `${s} ${seedOf(s)?.loadBytes} B`)
      .join(
        ', ',
      )}. Lakegate asks its database, after each load arrived, whether the table's pointer row is current, so a commit by any process on the database is seen at once: on SQLite by \`PRAGMA data_version\`, once for all the requests read in the same poll of the sockets, which are handed over together (unchanged since its last read of the row: the answer it kept; docs/architecture.md), on PostgreSQL by reading the row, batched with the loads in flight at the same time; it reads the metadata JSON only when it is not the one it kept for that pointer, and checks that the metadata file exists (once per such group of requests). The fixture reads the pointer and then the metadata file.`,
  );
  p(
    `  - **listTables**: \`GET …/namespaces/${NS}/tables\`, all ${LIST_TABLES} on one page. Response: ${servers
      .filter((s) => seedOf(s))
      .map((s) => `${s} ${seedOf(s)?.listBytes} B`)
      .join(
        ', ',
      )}. The namespace does not change during the cells: Lakegate checks the namespace's listing version (one row; on SQLite through \`PRAGMA data_version\` as for loads) on every listing and answers the page it keeps for that version, which is what repeated listings of an unchanged namespace cost; a listing right after a change in the namespace reads the page's ${LIST_TABLES} rows as well (about 1 µs a row on SQLite). The fixture reads the rows every time.`,
  );
  p(
    `  - **commit**: \`POST …/namespaces/${COMMIT_NS}/tables/cNN\` with one \`set-properties\` update and no requirements, spread over ${config.commitTables} tables: connection *i* always sets key \`bench.writer-i\` on table *i* mod ${config.commitTables}. At 64 connections each table has 4 concurrent writers, which conflict: Lakegate serialises commits to a table in-process (and retries the compare-and-swap across processes), the fixture's \`CatalogHandlers\` retries a failed compare-and-swap with exponential backoff. Each commit writes a new metadata file; both cap the metadata log at 100 entries.`,
  );
  p(
    "- The fixture's own default backend, `jdbc:sqlite::memory:`, gives every new pooled JDBC connection a separate empty database, so beyond 2 concurrent requests it answers 500 `no such table: iceberg_tables` (apache/iceberg#13366). The benchmark therefore configures the backend the upstream fixture image now uses by default (apache/iceberg#18044): a file-backed SQLite database in WAL mode (`CATALOG_URI`, `CATALOG_JDBC_SCHEMA__VERSION=V1`); pool size and everything else stay at their defaults.",
  );
  p('- CPU layouts, each with freshly started and seeded servers:');
  if (config.layouts.includes('pinned'))
    p(
      `  - **pinned**: the load generator runs on CPU 0 and the server under test (and its PostgreSQL) on CPU ${NCPU === 2 ? '1' : `1-${NCPU - 1}`} (\`taskset\`), so each side has ${NCPU === 2 ? 'one core' : 'cores'} of its own.${NCPU === 2 ? ' The JVM then sees one processor and picks its ergonomics for that (SerialGC instead of G1).' : ''} \`--workers\` is not run here (one core).`,
    );
  if (config.layouts.includes('shared'))
    p(
      `  - **shared**: no pinning; the load generator and the servers float over all ${NCPU} CPUs (the JVM can run request threads, JIT and GC in parallel; one Node process runs JavaScript on one thread, \`--workers\` on several).`,
    );
  p();
  for (const layout of config.layouts) {
    const inLayout = serversIn(config, results, layout);
    p(`## Results: ${layout} layout`);
    p();
    p(`| operation | conns | ${inLayout.map((s) => `${label(config, s)} req/s | p99 ms`).join(' | ')} | errors | noise |`);
    p(`|---|--:|${inLayout.map(() => '--:|--:|').join('')}--:|--:|`);
    for (const op of config.ops) {
      for (const c of config.concurrency) {
        const picked = inLayout.map((s) => pick(results, layout, s, op, c));
        const errors = picked.reduce((a, x) => a + (x?.errorsAll ?? 0), 0);
        p(
          `| ${op} | ${c} | ${picked.map((a) => `${fmtRate(a?.throughput)} | ${fmtMs(a?.p99)}`).join(' | ')} | ${errors} | ${Math.max(...picked.map((a) => a?.noise ?? 0)).toFixed(2)} |`,
        );
      }
    }
    p();
    // Ratios: throughput of the reported runs, CPU per request as the median over all repetitions (steadier under noise).
    const ratioCols = [];
    if (inLayout.includes('fixture')) ratioCols.push(['LG/FX req/s', (g) => fmtRatio(g.lakegate?.throughput, g.fixture?.throughput)]);
    if (inLayout.includes('bare')) {
      ratioCols.push(['LG/bare req/s', (g) => fmtRatio(g.lakegate?.throughput, g.bare?.throughput)]);
      ratioCols.push(['LG/bare CPU per req', (g) => fmtRatio(g.lakegate?.medianCpuPerReq, g.bare?.medianCpuPerReq)]);
    }
    if (inLayout.includes('fastify')) {
      ratioCols.push(['LG/FY CPU per req', (g) => fmtRatio(g.lakegate?.medianCpuPerReq, g.fastify?.medianCpuPerReq)]);
      if (inLayout.includes('bare')) ratioCols.push(['FY/bare CPU per req', (g) => fmtRatio(g.fastify?.medianCpuPerReq, g.bare?.medianCpuPerReq)]);
    }
    if (inLayout.includes('lakegate-pg')) {
      ratioCols.push(['LG/PG req/s', (g) => fmtRatio(g.lakegate?.throughput, g['lakegate-pg']?.throughput)]);
      ratioCols.push(['PG/LG CPU per req', (g) => fmtRatio(g['lakegate-pg']?.medianCpuPerReq, g.lakegate?.medianCpuPerReq)]);
    }
    if (inLayout.includes('lakegate-workers')) ratioCols.push([`workers/LG req/s`, (g) => fmtRatio(g['lakegate-workers']?.throughput, g.lakegate?.throughput)]);
    if (ratioCols.length) {
      p(
        `Ratios (${layout}): \`req/s\` of the reported runs; \`CPU per req\` of the medians over all repetitions. LG = Lakegate SQLite, PG = Lakegate PostgreSQL, FX = fixture, FY = Fastify floor, bare = bare-Node limit.`,
      );
      p();
      p(`| operation | conns | ${ratioCols.map(([h]) => h).join(' | ')} |`);
      p(`|---|--:|${ratioCols.map(() => '--:|').join('')}`);
      for (const op of config.ops)
        for (const c of config.concurrency) {
          const g = Object.fromEntries(inLayout.map((s) => [s, pick(results, layout, s, op, c)]));
          p(`| ${op} | ${c} | ${ratioCols.map(([, f]) => f(g)).join(' | ')} |`);
        }
      p();
    }
    const a = aims(config, results, layout);
    if (a.length) {
      p(`Aims (${layout} layout):`);
      p();
      p('| aim | measured | met |');
      p('|---|--:|:-:|');
      for (const x of a) p(`| ${x.aim} | ${x.value} | ${x.met ? 'yes' : '**no**'} |`);
      p();
    }
    const errs = config.ops
      .flatMap((op) =>
        config.concurrency.flatMap((c) =>
          inLayout.map((s) => results.filter((r) => r.layout === layout && r.server === s && r.op === op && r.concurrency === c && r.errors > 0)),
        ),
      )
      .filter((x) => x.length);
    if (errs.length) {
      p('Errors:');
      p();
      for (const reps of errs) {
        const r0 = reps[0];
        const count = {};
        for (const r of reps) {
          for (const [st, n] of Object.entries(r.statusCounts)) if (!isSuccess(Number(st))) count[`HTTP ${st}`] = (count[`HTTP ${st}`] ?? 0) + n;
          for (const [k, n] of Object.entries(r.errorKinds)) count[k] = (count[k] ?? 0) + n;
        }
        const sample = reps.find((r) => r.errorSamples[0])?.errorSamples[0];
        p(
          `- ${r0.server} ${r0.op} at ${r0.concurrency}: ${Object.entries(count)
            .map(([k, n]) => `${n}× ${k}`)
            .join(', ')}${sample ? ` — e.g. \`${sample.replace(/[`\r\n]/g, ' ').slice(0, 200)}\`` : ''}`,
        );
      }
      p();
    }
    p(
      `Noise (${layout}): how much repeated runs of the same cell differed, and what else ran. The bare server's spread is the machine's own: it does the same fixed work every time.`,
    );
    p();
    noiseSection(config, results, layout, p);
    p('<details><summary>Per cell: throughput range, latency, CPU use</summary>');
    p();
    p('| operation | conns | server | req/s (reported) | req/s min–max | p50 ms | p99 ms | srv cores | srv CPU µs/req (median) | gen cores | noise | steal |');
    p('|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const op of config.ops)
      for (const c of config.concurrency)
        for (const s of inLayout) {
          const r = pick(results, layout, s, op, c);
          if (r)
            p(
              `| ${op} | ${c} | ${s} | ${fmtRate(r.throughput)} | ${fmtRate(r.minThroughput)}–${fmtRate(r.maxThroughput)} | ${fmtMs(r.p50)} | ${fmtMs(r.p99)} | ${r.serverCpu.toFixed(2)} | ${fmtUs(r.serverCpuPerReqUs)} (${fmtUs(r.medianCpuPerReq)}) | ${r.clientCpu.toFixed(2)} | ${r.otherCpu.toFixed(2)} | ${r.steal.toFixed(2)} |`,
            );
        }
    p();
    p(
      "`srv cores`: CPU time of the server's processes per second of the cell; `srv CPU µs/req` the same per successful request (in brackets: the median over all repetitions); `gen cores` the load generator; `noise` CPU of everything else on the machine; `steal` time the hypervisor took from the VM.",
    );
    p();
    p('</details>');
    p();
  }
  const rss = seeds.filter((s) => Number.isFinite(s.peakRssMiB));
  if (rss.length) {
    p('## Memory');
    p();
    p(`Peak resident set size of each server's largest process: ${rss.map((s) => `${s.server} ${s.peakRssMiB.toFixed(0)} MiB (${s.layout})`).join(', ')}.`);
    p();
  }
  p('## Re-running');
  p();
  p(
    '- `npm run bench`: this report (both layouts, all servers; about 40 minutes). `npm run bench -- --quick`: a short smoke run that prints and writes nothing. `node bench/run.mjs --help` for the options (layouts, durations, repetitions, operations, servers, `--principal`, `--cpu-prof DIR`, `--perf-map`).',
  );
  p('- `node bench/run.mjs --report FILE.json` renders this report again from the raw results a run saved.');
  p(
    '- `node bench/ab.mjs --base REV`: paired A/B comparison of this checkout against another commit (alternating runs on the pinned layout, ratios of CPU per request and throughput with their spread); how each per-request change was measured.',
  );
  p('- `node bench/profile.mjs FILE.cpuprofile --last S`: where the CPU of a profile went (by component and function); profiles come from `--cpu-prof DIR`.');
  return L.join('\n');
}
