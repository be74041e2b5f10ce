#!/usr/bin/env node
/**
 * Benchmark: what a client_credentials token costs the server (POST /v1/oauth/tokens), right secret and wrong one.
 *
 *   node bench/token-endpoint.mjs [--requests N] [--repo DIR]
 *
 * One `lakegate serve` (SQLite, one process, this checkout's dist/ or --repo's) and one granted service principal;
 * N sequential requests with its secret, then N with a wrong secret of the same length (each answered 401 until the
 * sign-in limits answer 429; both are counted as they come). Prints the server process's CPU per request (utime +
 * stime from /proc, every thread: hashing runs on libuv's pool) and the median latency. For an A/B run, --repo names
 * another checkout (built) to measure instead.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { cpuSecondsOf, log } from './lib/proc.mjs';
import { grantedPrincipal, startLakegate, clientToken } from './lib/servers.mjs';
import { median } from './lib/load.mjs';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200' }, repo: { type: 'string' } } });
const n = Number(values.requests);
const server = await startLakegate({ principal: 'admin', ...(values.repo ? { repo: values.repo } : {}) });
const credential = await grantedPrincipal(server.url, server.token, 'default', 'token-bench');
const [clientId, secret] = [credential.slice(0, credential.indexOf(':')), credential.slice(credential.indexOf(':') + 1)];
await clientToken(server.url, credential);

async function cell(label, clientSecret) {
  const statuses = new Map();
  const latencies = [];
  const cpu0 = cpuSecondsOf(server.pids());
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'catalog' }),
    });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  const cpu = cpuSecondsOf(server.pids()) - cpu0;
  const answers = [...statuses].map(([s, c]) => `${c}×${s}`).join(' ');
  console.log(
    `${label}: ${n} requests (${answers}); server CPU ${((cpu / n) * 1000).toFixed(2)} ms a request; median latency ${median(latencies).toFixed(2)} ms`,
  );
}

log(`server ${server.url}, ${n} requests a cell`);
await cell('right secret', secret);
await cell('wrong secret', `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`);
process.exit(0);
