/**
 * A measured cell driven by wrk (Debian's `wrk`, a C load generator) instead of bench/lib/load.mjs's Node one, for
 * benchmarks whose server answers in tens of microseconds: on this 2-CPU machine the Node generator takes about one
 * CPU itself at that rate, and its own queueing shows in every server's p99 (the bare server's too). wrk does the same
 * closed loop (one keep-alive connection per virtual user, next request when the response is complete) with a
 * fraction of the CPU. Same result shape as runCell (throughput, p50/p99 in ms, server CPU per request from /proc).
 *
 * Latency is wrk's: from writing a request to reading its whole response, per connection, as runCell counts it.
 * Errors are wrk's socket errors plus its non-2xx/3xx count.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpuSecondsOf, machineCpu, tempDir } from './proc.mjs';

/** The wrk binary, or undefined when it is not installed (`apt-get install wrk`). */
export function findWrk() {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const luaString = (s) => `"${[...Buffer.from(s, 'utf8')].map((b) => `\\${b}`).join('')}"`;

/**
 * Writes the Lua script that sends `req` ({ method, path, headers, body }) on every request and prints, when done,
 * one JSON line with the counts and the latency quantiles (wrk keeps them in microseconds).
 */
function script(req) {
  const dir = tempDir('lakegate-wrk-');
  const file = path.join(dir, 'request.lua');
  const headers = Object.entries(req.headers ?? {})
    .map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(String(v))}`)
    .join('\n');
  writeFileSync(
    file,
    `wrk.method = ${luaString(req.method)}
wrk.path = ${luaString(req.path)}
${req.body !== undefined ? `wrk.body = ${luaString(req.body)}` : ''}
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
`,
  );
  return file;
}

/**
 * Runs wrk against `server` ({ name, port, pids() }) with `concurrency` connections for `seconds`; `threads` wrk
 * threads (1 leaves the other CPU to the server on a 2-CPU machine); `cpus` pins wrk (a taskset list).
 */
export async function runWrkCell(server, req, concurrency, seconds, { wrk = findWrk(), threads = 1, cpus } = {}) {
  if (!wrk) throw new Error('wrk is not installed (apt-get install wrk)');
  const lua = script(req);
  const pids = server.pids();
  const srvCpu0 = cpuSecondsOf(pids);
  const m0 = machineCpu();
  const t0 = performance.now();
  const out = await new Promise((resolve, reject) => {
    const argv = ['-t', String(threads), '-c', String(concurrency), '-d', `${seconds}s`, '--timeout', '10s', '-s', lua, `http://127.0.0.1:${server.port}`];
    // cpus: wrk pinned there (taskset), e.g. the CPU the servers do not run on.
    const [file, args] = cpus ? ['taskset', ['-c', cpus, wrk, ...argv]] : [wrk, argv];
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text.slice(-500)}`))));
  });
  const elapsed = (performance.now() - t0) / 1000;
  const srvCpu = cpuSecondsOf(pids) - srvCpu0;
  const m1 = machineCpu();
  const line = out.split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no result: ${out.slice(-500)}`);
  const r = JSON.parse(line.slice('WRK_RESULT '.length));
  const errors = r.connect + r.read + r.write + r.status + r.timeout;
  const ok = r.requests - r.status;
  const wrkSeconds = r.duration_us / 1e6;
  return {
    server: server.name,
    concurrency,
    seconds: wrkSeconds,
    ok,
    errors,
    throughput: ok / wrkSeconds,
    p50: r.p50_us / 1000,
    p99: r.p99_us / 1000,
    max: r.max_us / 1000,
    mean: r.mean_us / 1000,
    serverCpu: srvCpu / elapsed,
    serverCpuPerReqUs: ok ? (srvCpu / ok) * 1e6 : NaN,
    // Everything busy that was not the server: wrk itself and any other process.
    otherCpu: Math.max(0, (m1.busy - m0.busy - srvCpu) / elapsed),
  };
}
