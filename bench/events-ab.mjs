#!/usr/bin/env node
/**
 * What a Kafka event sink costs commits (issue 38: "<= 10% cost; end-to-end delivery lag p99 < 1 s at 200
 * commits/s"), measured as a paired A/B on one build, as bench/ab.mjs does for two builds: two `lakegate serve`
 * processes of this checkout run side by side for the whole comparison, A with no event sink (every commit still
 * writes its outbox row: that is not optional) and B with a Kafka sink on its warehouse (a real Kafka 4.4.0, KRaft,
 * one node, started through scripts/peers/kafka.sh). They take turns, A B B A A B …, so neighbouring runs saw nearly
 * the same machine. Two load shapes per pair:
 *   rate        open loop at a fixed offered rate (--rate, default 200 commits/s) spread over 16 tables; latency is
 *               counted from each commit's scheduled time (a backlog shows as latency, not as a lower rate);
 *   saturation  --writers closed-loop writers (default 16), one per table.
 * A commit is a property update (`set-properties`, no requirements) over HTTP/1.1 keep-alive (bench/lib/load.mjs).
 * Reported per shape: commits/s, p99 commit latency, and server CPU per commit (the server's processes, from /proc:
 * the steadier measure on a shared machine), of it the main thread's (the event loop the commits wait on) and, for B,
 * the delivery thread's (delivery runs there unless LAKEGATE_EVENT_DELIVERY_THREAD=main is set for the run), as
 * medians with B/A ratios and their range over the pairs; the broker's CPU per commit; and for B at the fixed rate the delivery lag p50/p99: a kafkajs consumer's arrival time minus the
 * event's `time`, which the server takes inside the commit's transaction, before it answers (so the lag from the
 * acknowledgment is at most this).
 *
 *   node bench/events-ab.mjs [--pairs 4] [--seconds 8] [--rate 200] [--writers 16] [--database sqlite|postgres]
 *                            [--interval-ms N] [--pinned] [--cpu-prof DIR]
 *
 * --interval-ms sets LAKEGATE_EVENT_DELIVERY_INTERVAL_MS on both servers (default: the server's default).
 * --cpu-prof DIR writes V8 CPU profiles of A and B to DIR/A and DIR/B (at exit).
 * --pinned pins both servers to the server CPUs, and this process, the broker and its consumer to CPU 0 (bench/lib/proc.mjs
 * cpuSets): the server's CPUs are left to the server, as with a broker on other hosts. Needs the built server (npm run build).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchArgs } from './lib/args.mjs';
import { Conn, isSuccess, median, postRequest, quantile, runCell } from './lib/load.mjs';
import { startKafkaTopic } from './lib/kafka-broker.mjs';
import {
  cpuSecondsOf,
  cpuSets,
  pinProcess,
  log,
  machineCpu,
  mainThreadCpuSeconds,
  namedThreadsCpuSeconds,
  setOwnAffinity,
  sleep,
  stopChild,
  tempDir,
} from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startLakegate, startPostgresCluster } from './lib/servers.mjs';

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    pairs: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '8' },
    rate: { type: 'string', default: '200' },
    writers: { type: 'string', default: '16' },
    database: { type: 'string', default: 'sqlite' },
    'interval-ms': { type: 'string' },
    pinned: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
  strict: true,
});
const PAIRS = Number(opt.pairs);
const SECONDS = Number(opt.seconds);
const RATE = Number(opt.rate);
const WRITERS = Number(opt.writers);
const TABLES = 16;
const TOPIC = 'bench-events';
/** The delivery thread's name as Linux shows it (compose/delivery-thread.ts names it lakegate-event-delivery). */
const DELIVERY_THREAD = 'lakegate-event-';

/** Batches the server's sinks accepted so far (`lakegate_event_delivery_lag_seconds_count`, one per accepted batch). */
async function acceptedBatches(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/^lakegate_event_delivery_lag_seconds_count\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

/** The commit request of table `t` (the n-th for its connection). */
const commit = (server, t, n) =>
  postRequest(
    server,
    `${server.base}/namespaces/bench/tables/t${t}`,
    JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { k: String(n) } }] }),
  );

/**
 * Open loop at `rate` commits/s for `seconds`: commit k is due at t0 + k/rate and goes out on the first free
 * connection; its latency counts from when it was due.
 */
async function runRate(server, rate, seconds) {
  const conns = Array.from({ length: 64 }, () => new Conn(server.port));
  await Promise.all(conns.map((c) => c.open()));
  const free = [...conns];
  const waiting = [];
  const take = () => (free.length > 0 ? Promise.resolve(free.pop()) : new Promise((r) => waiting.push(r)));
  const give = (c) => (waiting.length > 0 ? waiting.shift()(c) : free.push(c));
  const lat = [];
  let errors = 0;
  const pids = server.pids();
  const cpu0 = cpuSecondsOf(pids);
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  const inFlight = [];
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(
      (async () => {
        const c = await take();
        try {
          if (!c.sock) await c.open();
          const r = await c.send(commit(server, k % TABLES, k));
          if (isSuccess(r.status)) lat.push(performance.now() - due);
          else errors++;
        } catch {
          errors++;
        } finally {
          give(c);
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = cpuSecondsOf(pids) - cpu0;
  for (const c of conns) c.drop();
  return {
    ok: lat.length,
    errors,
    throughput: lat.length / elapsed,
    p50: quantile(lat, 50),
    p99: quantile(lat, 99),
    serverCpuPerReqUs: (cpu / lat.length) * 1e6,
    window: [Date.now() - elapsed * 1000, Date.now()],
  };
}

async function main() {
  const dir = tempDir('lakegate-bench-events-ab-');
  const sets = opt.pinned ? cpuSets('pinned') : null;
  setOwnAffinity(sets?.client);
  // The consumer runs in a process of its own: in this one it delayed the very commits being timed (B's p99).
  const kafka = await startKafkaTopic(dir, TOPIC);
  // Pinned: the broker and its consumer share the load generator's CPUs, as a broker on other hosts would leave the
  // server's CPUs to the server.
  if (sets) for (const pid of [kafka.pid, kafka.consumerPid]) pinProcess(pid, sets.client);
  let pg;
  if (opt.database === 'postgres') pg = await startPostgresCluster({ cpus: sets?.server });
  const env = opt['interval-ms'] ? { LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: opt['interval-ms'] } : {};
  const start = (name) =>
    startLakegate({
      name,
      auth: 'disabled',
      cpus: sets?.server,
      env,
      ...(opt['cpu-prof'] ? { cpuProf: `${opt['cpu-prof']}/${name}` } : {}),
      ...(pg ? { database: pg.createDatabase(name), extraPids: pg.pids } : {}),
    });
  const servers = { A: await start('A'), B: await start('B') };
  const rows = [];
  const load = [];
  try {
    for (const s of Object.values(servers)) {
      await sendJson('POST', `${s.url}${s.base}/namespaces`, { namespace: ['bench'] });
      for (let t = 0; t < TABLES; t++) await sendJson('POST', `${s.url}${s.base}/namespaces/bench/tables`, { name: `t${t}`, schema: idSchema() });
    }
    await sendJson('POST', `${servers.B.url}/management/v1/warehouses/default/event-sinks`, {
      kind: 'kafka',
      config: { brokers: [kafka.bootstrap], topic: TOPIC },
    });
    for (const s of Object.values(servers)) await runCell(s, (i, n) => commit(s, i % TABLES, n), WRITERS, 3, { record: false });
    for (const shape of ['rate', 'saturation']) {
      const runs = { A: [], B: [] };
      for (let i = 0; i < PAIRS; i++) {
        for (const k of i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
          const s = servers[k];
          await sleep(500);
          const kafkaCpu0 = cpuSecondsOf([kafka.pid]);
          const m0 = machineCpu();
          const batches0 = await acceptedBatches(s);
          const main0 = mainThreadCpuSeconds(s.child.pid);
          const delivery0 = namedThreadsCpuSeconds(s.child.pid, DELIVERY_THREAD);
          const t0 = performance.now();
          load.push(os.loadavg()[0]);
          const r = shape === 'rate' ? await runRate(s, RATE, SECONDS) : await runCell(s, (c, n) => commit(s, c % TABLES, n), WRITERS, SECONDS);
          const wall = (performance.now() - t0) / 1000;
          // The event loop's share: what delivery on the main thread adds to the commits' path (docs/events.md).
          r.mainCpuPerReqUs = ((mainThreadCpuSeconds(s.child.pid) - main0) / r.ok) * 1e6;
          r.deliveryCpuPerReqUs = ((namedThreadsCpuSeconds(s.child.pid, DELIVERY_THREAD) - delivery0) / r.ok) * 1e6;
          r.kafkaCpuPerReqUs = ((cpuSecondsOf([kafka.pid]) - kafkaCpu0) / r.ok) * 1e6;
          r.machineBusy = (machineCpu().busy - m0.busy) / wall;
          if (k === 'B' && shape === 'rate') {
            // Until the consumer has every event of the run (at most 15 s), then the lag of those events.
            const [from, to] = r.window;
            let lags = await kafka.lags(from - 50, to + 50);
            for (let w = 0; w < 150 && lags.length < r.ok; w++) {
              await sleep(100);
              lags = await kafka.lags(from - 50, to + 50);
            }
            Object.assign(r, { lagP50: quantile(lags, 50), lagP99: quantile(lags, 99), lagged: lags.length });
            // Delivery rounds that sent something, per second of the run (each accepted batch is one deliver() call).
            r.batchesPerSec = ((await acceptedBatches(s)) - batches0) / SECONDS;
          }
          runs[k].push(r);
          log(
            `${shape} ${k}: ${r.throughput.toFixed(1)} commits/s, p99 ${r.p99.toFixed(0)} ms, ${r.serverCpuPerReqUs.toFixed(0)} µs CPU/commit (main thread ${r.mainCpuPerReqUs.toFixed(0)}, delivery thread ${r.deliveryCpuPerReqUs.toFixed(0)}), broker ${r.kafkaCpuPerReqUs.toFixed(0)} µs/commit, errors ${r.errors}, machine ${r.machineBusy.toFixed(2)} cores busy${r.lagP99 !== undefined ? `, lag p50 ${r.lagP50} p99 ${r.lagP99} ms (${r.lagged} of ${r.ok}), ${r.batchesPerSec.toFixed(1)} batches/s` : ''}`,
          );
        }
      }
      const ratio = (f) => {
        const v = runs.B.map((b, i) => f(b) / f(runs.A[i]));
        return { med: median(v), min: Math.min(...v), max: Math.max(...v) };
      };
      const med = (k, f) => median(runs[k].map(f));
      rows.push({
        shape,
        aTp: med('A', (r) => r.throughput),
        bTp: med('B', (r) => r.throughput),
        tp: ratio((r) => r.throughput),
        aP99: med('A', (r) => r.p99),
        bP99: med('B', (r) => r.p99),
        p99: ratio((r) => r.p99),
        aCpu: med('A', (r) => r.serverCpuPerReqUs),
        bCpu: med('B', (r) => r.serverCpuPerReqUs),
        cpu: ratio((r) => r.serverCpuPerReqUs),
        aMain: med('A', (r) => r.mainCpuPerReqUs),
        bMain: med('B', (r) => r.mainCpuPerReqUs),
        bDelivery: med('B', (r) => r.deliveryCpuPerReqUs),
        broker: med('B', (r) => r.kafkaCpuPerReqUs) - med('A', (r) => r.kafkaCpuPerReqUs),
        lagP50: shape === 'rate' ? med('B', (r) => r.lagP50) : undefined,
        lagP99: shape === 'rate' ? med('B', (r) => r.lagP99) : undefined,
        lagMax99: shape === 'rate' ? Math.max(...runs.B.map((r) => r.lagP99)) : undefined,
        batches: shape === 'rate' ? med('B', (r) => r.batchesPerSec) : undefined,
        errors: [...runs.A, ...runs.B].reduce((n, r) => n + r.errors, 0),
      });
    }
  } finally {
    await kafka.close().catch(() => undefined);
    await Promise.all(Object.values(servers).map((s) => stopChild(s.child)));
    pg?.stop();
  }
  const f3 = (x) => x.toFixed(3);
  const range = (r) => `${f3(r.med)} (${f3(r.min)}–${f3(r.max)})`;
  process.stdout.write(
    `\nA = no sink, B = Kafka sink; ${opt.database}, ${PAIRS} pairs of ${SECONDS} s, rate ${RATE} commits/s, saturation ${WRITERS} writers, ${opt['interval-ms'] ?? 'default'} ms delivery interval, ${sets ? `pinned (servers CPU ${sets.server})` : 'not pinned'}, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}\n`,
  );
  process.stdout.write(
    '| load | A commits/s | B commits/s | B/A commits/s, median (min–max) | A p99 ms | B p99 ms | B/A p99 | A µs CPU/commit | B µs CPU/commit | B/A CPU per commit, median (min–max) | main thread µs/commit A / B | B delivery thread µs/commit | broker µs/commit (B−A) | lag p50 / p99 ms (worst p99) | B batches/s | errors |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n',
  );
  for (const r of rows) {
    const lag = r.lagP99 === undefined ? '' : `${r.lagP50.toFixed(0)} / ${r.lagP99.toFixed(0)} (${r.lagMax99.toFixed(0)})`;
    process.stdout.write(
      `| ${r.shape === 'rate' ? `${RATE}/s offered` : `saturation, ${WRITERS} writers`} | ${r.aTp.toFixed(1)} | ${r.bTp.toFixed(1)} | ${range(r.tp)} | ${r.aP99.toFixed(0)} | ${r.bP99.toFixed(0)} | ${range(r.p99)} | ${r.aCpu.toFixed(0)} | ${r.bCpu.toFixed(0)} | ${range(r.cpu)} | ${r.aMain.toFixed(0)} / ${r.bMain.toFixed(0)} | ${r.bDelivery.toFixed(0)} | ${r.broker.toFixed(0)} | ${lag} | ${r.batches === undefined ? '' : r.batches.toFixed(1)} | ${r.errors} |\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
