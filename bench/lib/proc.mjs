/**
 * Child processes, ports, temp dirs, CPU pinning and /proc readings for the benchmarks.
 * Every child started here is killed when the benchmark exits, however it exits.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
export function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

const children = new Set();
const tempDirs = [];
const exitHooks = [];
let keepTemp = false;

/** Keep the temporary directories at exit (--keep). */
export function keepTempDirs(keep) {
  keepTemp = keep;
}

/** Run at exit (synchronously), after the children are killed: e.g. stopping a PostgreSQL cluster. */
export function onExit(fn) {
  exitHooks.push(fn);
}

function killAll(signal = 'SIGKILL') {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill(signal);
      } catch {}
    }
  }
}
process.on('exit', () => {
  killAll('SIGKILL');
  for (const fn of exitHooks.splice(0)) {
    try {
      fn();
    } catch {}
  }
  if (!keepTemp) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping servers`);
    process.exit(130);
  });
}

export async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
  children.delete(child);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

export const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
export const NCPU = os.availableParallelism?.() ?? os.cpus().length;

/** The CPU sets of a layout: { client, server } or null for no pinning. */
export function cpuSets(layout) {
  if (layout !== 'pinned') return null;
  if (!HAS_TASKSET || NCPU < 2) return null;
  return { client: '0', server: NCPU === 2 ? '1' : `1-${NCPU - 1}` };
}

/** Pins this process (all its threads) to `cpus`, or frees it when undefined. */
export function setOwnAffinity(cpus) {
  pinProcess(process.pid, cpus);
}

/** Pins a running process (all its threads) to `cpus`, or frees it when undefined. */
export function pinProcess(pid, cpus) {
  if (!HAS_TASKSET) return;
  execFileSync('taskset', ['-a', '-cp', cpus ?? `0-${NCPU - 1}`, String(pid)], { stdio: 'ignore' });
}

/** Spawns a server, pinned to `cpus` when given; its output is kept (the last 32-64 kB) for error messages. */
export function spawnServer(name, cmd, args, env, cpus, options = {}) {
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd ?? REPO_ROOT });
  children.add(child);
  let out = '';
  const keep = (d) => {
    out += d.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => out;
  child.benchName = name;
  return child;
}

/** Until `url` answers with one of `statuses`. */
export async function waitReady(child, url, statuses = [200], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${child.benchName} exited early (${child.exitCode ?? child.signalCode}):\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (statuses.includes(res.status)) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`${child.benchName} not ready after ${timeoutMs / 1000} s:\n${child.output()}`);
}

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Runs `fn` with every server but `only` stopped (SIGSTOP to each process of theirs, SIGCONT after, even
 * if `fn` throws): an idle server on the same core still wakes up (JVM periodic tasks and JIT or GC
 * threads finishing work, PostgreSQL's background writers, timers), and what it disturbs is mostly the
 * caches of the server being measured, which no CPU-time column shows.
 */
export async function alone(servers, only, fn) {
  const paused = Object.entries(servers)
    .filter(([name]) => name !== only)
    .flatMap(([, s]) => s.pids());
  const signal = (sig) => {
    for (const pid of paused) {
      try {
        process.kill(pid, sig);
      } catch {
        // gone already
      }
    }
  };
  signal('SIGSTOP');
  try {
    return await fn();
  } finally {
    signal('SIGCONT');
  }
}

/** A process and all its descendants (Linux /proc), e.g. the workers of a cluster or a taskset wrapper's child. */
export function processTree(pid) {
  const out = [];
  const walk = (p) => {
    out.push(p);
    let kids = [];
    try {
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        const c = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (c) kids = kids.concat(c.split(/\s+/).map(Number));
      }
    } catch {}
    for (const k of kids) walk(k);
  };
  walk(pid);
  return out;
}

/** utime + stime of a process and all its threads, in seconds (Linux /proc). */
export function procCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch {
    return NaN;
  }
}

/** CPU seconds of a process's main thread alone (its event loop; Linux: the thread whose id is the pid). */
export function mainThreadCpuSeconds(pid) {
  return procCpuSeconds(`${pid}/task/${pid}`);
}

/** CPU seconds of a process's threads whose name starts with `prefix` (the delivery thread: "lakegate-event-"). */
export function namedThreadsCpuSeconds(pid, prefix) {
  let total = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const s = comm.startsWith(prefix) ? procCpuSeconds(`${pid}/task/${tid}`) : 0;
      total += Number.isFinite(s) ? s : 0;
    }
  } catch {
    // The process or one of its threads ended meanwhile.
  }
  return total;
}

/** CPU seconds of several processes (NaN-free: a process that exited counts 0). */
export function cpuSecondsOf(pids) {
  return pids.reduce((a, p) => {
    const s = procCpuSeconds(p);
    return a + (Number.isFinite(s) ? s : 0);
  }, 0);
}

/** Machine-wide CPU seconds from /proc/stat: busy (user+nice+system+irq+softirq) and steal. */
export function machineCpu() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) / CLK_TCK, steal: (f[7] ?? 0) / CLK_TCK };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

/** Resident set size of a process in MiB: VmHWM (peak) or VmRSS (now). */
export function procRssMiB(pid, key = 'VmHWM') {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Runs scripts/peers/<script> (its progress to our stderr) and returns the last line it printed: what a peer
 * script prints last is the thing started (a URL, a bootstrap address, a path).
 */
export function peer(script, args, env = {}) {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'peers', script), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${script} ${args[0]} failed`);
  return r.stdout.trim().split('\n').at(-1).trim();
}

export function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}
