/**
 * Benchmark: the cost of keeping a cascading namespace drop recoverable (issue 39, migration 0021), and of its undrop.
 * One Lakegate process (--workers 1, SQLite, authentication off). Two warehouses on local directories: `soft` (the
 * default retention: the cascade moves every namespace and object to the dropped ones) and `hard`
 * (drop.retention-ms=0: the cascade deletes the rows, as before soft deletion). In each, --rounds times: a namespace
 * with --children child namespaces and --tables Iceberg tables spread over them is created through the Iceberg REST
 * API, then dropped with the Lance API's Cascade; in `soft` the namespace is then undropped (management API) and
 * dropped again, so each round measures drop, undrop and drop on the same tree.
 * Reports the server's CPU milliseconds (from /proc schedstat, every thread of its process tree) and wall milliseconds per operation and
 * per table, medians over the rounds, and the machine's load average. Only the server's CPU is compared: the
 * ratio soft/hard is the cost of keeping the tree.
 * Usage: node bench/undrop-namespace.mjs [--rounds 5] [--tables 200] [--children 10]
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cpuSecondsOf, keepTempDirs, log, processTree, stopChild, tempDir } from './lib/proc.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tables: { type: 'string', default: '200' },
    children: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opts.rounds);
const TABLES = Number(opts.tables);
const CHILDREN = Number(opts.children);
keepTempDirs(opts.keep);
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

const server = await startLakegate({ auth: 'disabled', dataDir: tempDir('lakegate-bench-undrop-ns-') });
const pids = () => processTree(server.child.pid);
/** Any answer but 2xx throws (sendJson). */
const call = (method, path, body) => sendJson(method, `${server.url}${path}`, body);
/**
 * CPU ms of the server's threads, from /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU): /proc's stat counts
 * clock ticks (10 ms), as coarse as one whole drop here. Falls back to stat where schedstat is missing.
 */
function serverCpuMs() {
  let ns = 0;
  for (const pid of pids()) {
    try {
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return cpuSecondsOf(pids()) * 1000;
    }
  }
  return ns / 1e6;
}
/** Server CPU ms and wall ms of fn. */
async function measured(fn) {
  const cpu0 = serverCpuMs();
  const t0 = performance.now();
  const out = await fn();
  return { cpuMs: serverCpuMs() - cpu0, wallMs: performance.now() - t0, out };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  for (const [name, properties] of [
    ['soft', {}],
    ['hard', { 'drop.retention-ms': '0' }],
  ]) {
    const root = `file://${server.dataDir}/${name}`;
    fs.mkdirSync(new URL(root), { recursive: true });
    await call('POST', '/management/v1/warehouses', { name, 'storage-root': root, 'storage-profile': { type: 'file' }, properties });
  }
  const results = { soft: { drop: [], undrop: [], redrop: [] }, hard: { drop: [] } };
  for (let round = 0; round < ROUNDS; round++) {
    for (const wh of ['soft', 'hard']) {
      const top = `tree${round}`;
      await call('POST', `/v1/${wh}/namespaces`, { namespace: [top], properties: { owner: 'bench' } });
      for (let c = 0; c < CHILDREN; c++) await call('POST', `/v1/${wh}/namespaces`, { namespace: [top, `c${c}`] });
      for (let t = 0; t < TABLES; t++) await call('POST', `/v1/${wh}/namespaces/${top}%1Fc${t % CHILDREN}/tables`, { name: `t${t}`, schema });
      const drop = () => call('POST', `/lance/${wh}/v1/namespace/${top}/drop`, { id: [top], behavior: 'Cascade' });
      results[wh].drop.push(await measured(drop));
      if (wh === 'soft') {
        let id;
        for (let token = ''; id === undefined;) {
          const page = await call('GET', `/management/v1/warehouses/soft/dropped?pageSize=1000&pageToken=${token}`);
          id = page.dropped.find((d) => d.kind === 'namespace' && d.name === top && d.namespace.length === 0)?.id;
          if (id === undefined && !page['next-page-token']) throw new Error(`${top} is not listed as dropped`);
          token = page['next-page-token'] ?? '';
        }
        results.soft.undrop.push(await measured(() => call('POST', `/management/v1/warehouses/soft/dropped/${id}/undrop`, {})));
        const tables = await call('GET', `/v1/soft/namespaces/${top}%1Fc0/tables`);
        if (tables.identifiers.length !== Math.ceil(TABLES / CHILDREN)) throw new Error(`undrop restored ${tables.identifiers.length} tables in c0`);
        results.soft.redrop.push(await measured(drop));
      }
    }
    log(`round ${round + 1}/${ROUNDS} done`);
  }
  const row = (what, xs) => {
    const cpu = median(xs.map((x) => x.cpuMs));
    return `| ${what} | ${cpu.toFixed(1)} | ${(cpu / TABLES).toFixed(3)} | ${median(xs.map((x) => x.wallMs)).toFixed(0)} |`;
  };
  const hardCpu = median(results.hard.drop.map((x) => x.cpuMs));
  const softCpu = median(results.soft.drop.map((x) => x.cpuMs));
  console.log(
    `Namespace tree: 1 + ${CHILDREN} namespaces, ${TABLES} Iceberg tables; medians of ${ROUNDS} rounds; SQLite, 1 process; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('| operation | server CPU ms | CPU ms per table | wall ms |');
  console.log('|---|---|---|---|');
  console.log(row('cascading drop, retention 0 (rows deleted)', results.hard.drop));
  console.log(row('cascading drop, soft (rows kept)', results.soft.drop));
  console.log(row('undrop of the namespace (whole tree back)', results.soft.undrop));
  console.log(row('cascading drop again, soft', results.soft.redrop));
  console.log(`\nsoft / retention-0 drop CPU: ${(softCpu / hardCpu).toFixed(2)}x`);
} finally {
  await stopChild(server.child);
}
