// OpenFGA for the benchmarks (scripts/peers/openfga.sh: built from the Go module proxy, cached under $LAKEGATE_CACHE;
// in-memory datastore, detached in its own session), with a store named `bench`; stopped at exit at the latest.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT } from './proc.mjs';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'peers', 'openfga.sh');

function openfga(env, ...args) {
  return execFileSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)
    .trim();
}

/** grpc_server_handled_total{grpc_method="Check",…} N of a Prometheus text, summed over codes, by method. */
export function requestCounts(metrics) {
  const out = {};
  for (const line of metrics.split('\n')) {
    const m = /^grpc_server_handled_total\{([^}]*)\}\s+([0-9.e+]+)$/.exec(line);
    const method = m && /grpc_method="([^"]+)"/.exec(m[1])?.[1];
    if (method) out[method] = (out[method] ?? 0) + Number(m[2]);
  }
  return out;
}

/**
 * Starts OpenFGA in `dir` (--max-checks-per-batch-check `maxChecksPerBatchCheck`, else OpenFGA's default) and
 * creates the store. Returns { dir, url, storeId, pid (whose CPU counts), metricsUrl, requests(), stop() }.
 */
export async function startOpenFga(dir, { maxChecksPerBatchCheck } = {}) {
  const env = maxChecksPerBatchCheck ? { OPENFGA_MAX_CHECKS_PER_BATCH_CHECK: String(maxChecksPerBatchCheck) } : {};
  const ports = [await freePort(), await freePort(), await freePort()];
  const url = openfga(env, 'start', dir, ...ports.map(String));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      openfga(env, 'stop', dir);
    } catch {}
  };
  // Detached (setsid): stop it before the temporary directories (its pid file) go.
  process.prependListener('exit', stop);
  const store = await (await fetch(`${url}/stores`, { method: 'POST', body: JSON.stringify({ name: 'bench' }) })).json();
  const metricsUrl = `http://127.0.0.1:${ports[2]}/metrics`;
  return {
    dir,
    url,
    storeId: store.id,
    pid: Number(fs.readFileSync(path.join(dir, 'openfga.pid'), 'utf8')),
    metricsUrl,
    requests: async () => requestCounts(await (await fetch(metricsUrl)).text()),
    stop,
  };
}
