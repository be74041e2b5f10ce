// Benchmark: server CPU per unpaged listNamespaces of 1,000 namespaces (issue 55's regression), from the server's own
// schedstat (all threads, nanoseconds) over blocks of sequential requests on one keep-alive connection. One Lakegate
// process (SQLite, authentication on, a granted non-admin principal). Prints µs per request of each block.
// Usage: node bench/list-namespaces.mjs [--repo DIR] [--namespaces 1000] [--blocks 5] [--block 300]
import fs from 'node:fs';
import { benchFlag } from './lib/args.mjs';
import { Conn, getRequest } from './lib/load.mjs';
import { REPO_ROOT, stopChild } from './lib/proc.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const repo = benchFlag('--repo', REPO_ROOT);
const N = Number(benchFlag('--namespaces', '1000'));
const BLOCKS = Number(benchFlag('--blocks', '5'));
const BLOCK = Number(benchFlag('--block', '300'));
const s = await startLakegate({ repo });
try {
  for (let i = 0; i < N; i++) await sendJson('POST', `${s.url}${s.base}/namespaces`, { namespace: [`ns${String(i).padStart(5, '0')}`] }, { token: s.token });
  const conn = new Conn(s.port);
  await conn.open();
  const req = getRequest(s, `${s.base}/namespaces`);
  const cpuNs = () => {
    let t = 0;
    for (const tid of fs.readdirSync(`/proc/${s.child.pid}/task`)) {
      try {
        t += Number(fs.readFileSync(`/proc/${s.child.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended meanwhile.
      }
    }
    return t;
  };
  for (let i = 0; i < BLOCK; i++) await conn.send(req);
  const out = [];
  for (let b = 0; b < BLOCKS; b++) {
    const before = cpuNs();
    for (let i = 0; i < BLOCK; i++) {
      const r = await conn.send(req);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    }
    out.push(((cpuNs() - before) / BLOCK / 1000).toFixed(0));
  }
  conn.drop();
  console.log(`listNamespaces of ${N} namespaces, unpaged: µs of server CPU per request, ${BLOCKS} blocks of ${BLOCK}: ${out.join(' ')}`);
} finally {
  await stopChild(s.child);
}
