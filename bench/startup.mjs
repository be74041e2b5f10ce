#!/usr/bin/env node
/**
 * Start-up of the CLI and the server (docs/benchmarks.md, "Start-up"), each in fresh Node processes:
 *
 * - `import serve.js`: importing packages/cli/dist/commands/serve.js (what every `lakegate serve` and every cluster
 *   worker loads before it reads its configuration): milliseconds inside the process (wall and CPU), the modules loaded
 *   (a module.registerHooks load counter), with the npm packages that contributed most;
 * - `serve → 200`: `lakegate serve` with the default configuration (SQLite, the local warehouse; authentication off so
 *   that the probe needs no token) from spawn to the first 200 of GET /v1/config, on a data dir made by an earlier start;
 * - `--help`: `lakegate --help` from spawn to exit.
 *
 * Each without the compile cache (NODE_DISABLE_COMPILE_CACHE=1) and with a warm one (NODE_COMPILE_CACHE, a directory
 * filled by one unmeasured run first). Medians of --runs runs. Needs `npm run build`. Wall times depend on what else
 * runs on the machine: the load average is printed with them; the import's CPU time depends on it less.
 *
 *   node bench/startup.mjs [--runs 7] [--json] [--root DIR]
 *
 * --root: another checkout (with its build and node_modules) to measure instead of this one, e.g. a `git worktree`
 * of an older commit, for a before/after comparison under the same conditions.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { procCpuSeconds, REPO_ROOT } from './lib/proc.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, json: { type: 'boolean', default: false }, root: { type: 'string', default: REPO_ROOT } },
});
const RUNS = Number(values.runs);
const ROOT = path.resolve(values.root);
const BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'lakegate.js');
const SERVE = path.join(ROOT, 'packages', 'cli', 'dist', 'commands', 'serve.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A child's stdout, once it exited 0. */
function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

// The counter registers its hook before it imports serve.js, so every module of the import is counted.
const IMPORT_SERVE = `
import module from 'node:module';
const urls = new Set();
module.registerHooks({ load(url, context, next) { urls.add(url); return next(url, context); } });
const t = performance.now();
const cpu = process.cpuUsage();
await import(${JSON.stringify(SERVE)});
const ms = performance.now() - t;
const used = process.cpuUsage(cpu);
const packages = {};
for (const url of urls) { const name = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url)?.[1]; if (name) packages[name] = (packages[name] ?? 0) + 1; }
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, modules: urls.size, packages }));`;

async function importServe(env) {
  return JSON.parse(await run(['--input-type=module', '-e', IMPORT_SERVE], env));
}

// Prints the process's CPU time as it exits (an --import module runs before the command's own).
const CPU_AT_EXIT = `data:text/javascript,process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write('\\ncpu-ms ' + (u.user + u.system) / 1000); })`;

/** Wall and CPU milliseconds of `lakegate --help`. */
async function help(env) {
  const t = performance.now();
  const out = await run([`--import=${CPU_AT_EXIT}`, BIN, '--help'], env);
  return { ms: performance.now() - t, cpuMs: Number(/cpu-ms (\S+)$/.exec(out)[1]) };
}

/** Milliseconds from spawn to the first 200 of GET /v1/config, and the server's CPU milliseconds until then. */
async function serveToFirst200(dataDir, env) {
  const t = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '1', '--data-dir', dataDir], {
    env: { ...process.env, LAKEGATE_AUTH: 'disabled', LAKEGATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  try {
    const url = await new Promise((resolve, reject) => {
      const check = (d) => {
        out += d;
        const m = /listening at (http:\/\/[^\s"]+)/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.on('exit', (code) => reject(new Error(`lakegate serve exited ${code}:\n${out}`)));
    });
    for (;;) {
      const res = await fetch(`${url}/v1/config`);
      await res.arrayBuffer();
      if (res.status === 200) return { ms: performance.now() - t, cpuMs: procCpuSeconds(child.pid) * 1000 };
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const loadBefore = os.loadavg()[0];
const temp = mkdtempSync(path.join(os.tmpdir(), 'lakegate-startup-'));
const results = {};
try {
  const dataDir = path.join(temp, 'data');
  await serveToFirst200(dataDir, { NODE_DISABLE_COMPILE_CACHE: '1' }); // makes the data dir: the runs measure a restart
  for (const [mode, env] of [
    ['no cache', { NODE_DISABLE_COMPILE_CACHE: '1' }],
    ['warm cache', { NODE_COMPILE_CACHE: path.join(temp, 'compile-cache') }],
  ]) {
    await importServe(env); // fills the cache (and the page cache) before measuring
    const imports = [];
    const serves = [];
    const helps = [];
    for (let i = 0; i < RUNS; i++) {
      imports.push(await importServe(env));
      serves.push(await serveToFirst200(dataDir, env));
      helps.push(await help(env));
    }
    const packages = Object.entries(imports[0].packages).sort((a, b) => b[1] - a[1]);
    results[mode] = {
      importMs: median(imports.map((r) => r.ms)),
      importCpuMs: median(imports.map((r) => r.cpuMs)),
      modules: imports[0].modules,
      topPackages: packages.slice(0, 8),
      serveMs: median(serves.map((r) => r.ms)),
      serveCpuMs: median(serves.map((r) => r.cpuMs)),
      helpMs: median(helps.map((r) => r.ms)),
      helpCpuMs: median(helps.map((r) => r.cpuMs)),
    };
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}

const load = [loadBefore, os.loadavg()[0]].map((l) => l.toFixed(1)).join(' → ');
if (values.json) console.log(JSON.stringify({ node: process.version, runs: RUNS, load, results }, null, 2));
else {
  console.log(`${ROOT}: Node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load}, median of ${RUNS} runs`);
  console.log('| compile cache | import serve.js ms (CPU ms) | modules | serve → 200 ms (CPU ms) | --help ms (CPU ms) |');
  console.log('|---|--:|--:|--:|--:|');
  for (const [mode, r] of Object.entries(results))
    console.log(
      `| ${mode} | ${r.importMs.toFixed(0)} (${r.importCpuMs.toFixed(0)}) | ${r.modules} | ${r.serveMs.toFixed(0)} (${r.serveCpuMs.toFixed(0)}) | ${r.helpMs.toFixed(0)} (${r.helpCpuMs.toFixed(0)}) |`,
    );
  console.log(`largest packages (no cache): ${results['no cache'].topPackages.map(([n, c]) => `${n} ${c}`).join(', ')}`);
}
