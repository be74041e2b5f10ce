// Benchmark (issue 59): the catalog's `optimize` of a managed Lance table against the Lance library's own optimize.
// For each N, LanceDB Node (the same @lancedb/lancedb the server loads) creates a table through Lakegate's Lance
// namespace and appends one row at a time (N one-row fragments, N managed versions); the dataset's directory is then
// copied. The catalog's optimize runs through the maintenance API (wall time, and the CPU of the server's processes:
// the library's compaction plus the loopback namespace it commits through); the floor is LanceDB's `optimize()` on the
// copy opened by its path (`lancedb.connect(dir)`, no namespace, no catalog), in this process (its CPU), with the same
// settings (cleanupOlderThan: the epoch, so no version is pruned). One Lakegate process (SQLite, admin token), a local
// file warehouse. The server's first job (it loads the library) is measured apart, on a table of 2 fragments.
// Usage: node bench/lance-optimize.mjs [--fragments 100,500] [--rounds 3]. Prints a Markdown table.
import { cpSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { benchFlag } from './lib/args.mjs';
import { cpuSecondsOf, log, REPO_ROOT, stopChild, tempDir } from './lib/proc.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const SIZES = benchFlag('--fragments', '100,500').split(',').map(Number);
const ROUNDS = Number(benchFlag('--rounds', '3'));
const DIM = 8;
const row = (i) => ({ id: i, vector: Array.from({ length: DIM }, (_, k) => Math.sin(i * 0.37 + k * 1.3)) });
const version = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', '@lancedb', 'lancedb', 'package.json'), 'utf8')).version;

const server = await startLakegate({ principal: 'admin', dataDir: tempDir('lakegate-bench-lance-optimize-') });
const token = server.token;
const rows = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const db = await lancedb.connectNamespace('rest', { uri: `${server.url}/lance/default`, headers: { Authorization: `Bearer ${token}` } });
  await db.createNamespace(['bench']);
  /** A table of n one-row fragments through the namespace; its dataset copied to a directory of its own (the floor's). */
  async function fragmented(name, n) {
    const started = performance.now();
    const table = await db.createTable(name, [row(0)], ['bench']);
    for (let i = 1; i < n; i++) await table.add([row(i)]);
    const fragments = (await table.stats()).fragmentStats.numFragments;
    if (fragments !== n) throw new Error(`${name}: ${fragments} fragments, not ${n}`);
    table.close();
    log(`${name}: ${n} one-row appends through the namespace in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const described = await sendJson('POST', `${server.url}/lance/default/v1/table/bench%24${name}/describe`, {}, { token });
    const floorDir = tempDir('lakegate-bench-lance-floor-');
    cpSync(fileURLToPath(described.location), path.join(floorDir, 'floor.lance'), { recursive: true });
    return floorDir;
  }
  async function catalogOptimize(name, n) {
    const cpu0 = cpuSecondsOf(server.pids());
    const t0 = performance.now();
    const res = await sendJson(
      'POST',
      `${server.url}/management/v1/warehouses/default/namespaces/bench/tables/${name}/maintenance`,
      { actions: ['optimize'] },
      { token },
    );
    const ms = performance.now() - t0;
    const cpuMs = (cpuSecondsOf(server.pids()) - cpu0) * 1000;
    if (res.optimize['fragments-removed'] !== n) throw new Error(`${name}: optimize removed ${res.optimize['fragments-removed']} fragments`);
    return { ms, cpuMs, added: res.optimize['fragments-added'], versions: res.optimize['version-after'] - res.optimize['version-before'] };
  }
  async function floorOptimize(floorDir, n) {
    const bare = await (await lancedb.connect(floorDir)).openTable('floor');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const stats = await bare.optimize({ cleanupOlderThan: new Date(0) });
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    bare.close();
    if (stats.compaction.fragmentsRemoved !== n) throw new Error(`floor: removed ${stats.compaction.fragmentsRemoved} fragments`);
    return { ms, cpuMs: (c.user + c.system) / 1000, added: stats.compaction.fragmentsAdded };
  }
  // The server loads the library on its first job: measured apart, on a table of 2 fragments, and left out of the cells.
  await fragmented('warm', 2);
  const first = await catalogOptimize('warm', 2);
  const firstFloor = await floorOptimize(await fragmented('warm2', 2), 2);
  for (const n of SIZES) {
    const catalog = [];
    const floor = [];
    for (let r = 0; r < ROUNDS; r++) {
      const name = `f${n}r${r}`;
      const floorDir = await fragmented(name, n);
      catalog.push(await catalogOptimize(name, n));
      floor.push(await floorOptimize(floorDir, n));
    }
    const cell = (xs, k) => median(xs.map((x) => x[k])).toFixed(0);
    rows.push(
      `| ${n} | catalog optimize (maintenance API) | ${catalog[0].added} | ${catalog[0].versions} | ${cell(catalog, 'ms')} | ${cell(catalog, 'cpuMs')} |`,
      `| ${n} | LanceDB \`optimize()\` on the dataset's path (floor) | ${floor[0].added} | | ${cell(floor, 'ms')} | ${cell(floor, 'cpuMs')} |`,
    );
  }
  rows.push(
    `| 2 | the server's first job (loads the library), once | ${first.added} | ${first.versions} | ${first.ms.toFixed(0)} | ${first.cpuMs.toFixed(0)} |`,
    `| 2 | floor, the same table | ${firstFloor.added} | | ${firstFloor.ms.toFixed(0)} | ${firstFloor.cpuMs.toFixed(0)} |`,
  );
  db.close();
} finally {
  await stopChild(server.child);
}
console.log(
  `@lancedb/lancedb ${version}, Lakegate SQLite (one process), file warehouse, ${os.cpus().length} vCPUs, median of ${ROUNDS} rounds per cell (a fresh table each)\n`,
);
console.log('| fragments (one row each) | optimize | fragments after | versions made | wall ms | CPU ms |');
console.log('|--:|---|--:|--:|--:|--:|');
for (const r of rows) console.log(r);
