/**
 * test/support/cluster-workers.ts tells a primary's cluster workers from its other children: a real node:cluster
 * primary forks two workers and also runs a helper process (as Lakegate's primary runs `chrt`), and only the two
 * workers are counted (the workers.test.ts flake: a `ps --ppid` count saw 3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterWorkerPids } from '../support/cluster-workers.js';
import { tempDir } from '../support/temp.js';
import { waitFor } from '../support/wait-for.js';

const PRIMARY = `
const cluster = require('node:cluster');
const { spawn } = require('node:child_process');
if (cluster.isPrimary) {
  const workers = [cluster.fork(), cluster.fork()];
  const helper = spawn('sleep', ['60'], { stdio: 'ignore' });
  let online = 0;
  cluster.on('online', () => {
    if (++online === 2) console.log(JSON.stringify({ helper: helper.pid, workers: workers.map((w) => w.process.pid) }));
  });
  process.on('SIGTERM', () => { helper.kill(); for (const w of workers) w.kill(); process.exit(0); });
} else {
  setInterval(() => {}, 1000);
}
`;

let primary: ChildProcess | undefined;
let temp: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  primary?.kill('SIGTERM');
  primary = undefined;
  temp?.cleanup();
});

describe('clusterWorkerPids', () => {
  it("counts a primary's cluster workers and not its helper processes", async () => {
    // A script file: cluster.fork() re-runs the primary's script, which `node -e` has not.
    temp = tempDir('lakegate-cluster-');
    const script = path.join(temp.dir, 'primary.cjs');
    writeFileSync(script, PRIMARY);
    primary = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    primary.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      'the primary to report its children',
      () => out,
      (o) => o.includes('\n'),
    );
    const { helper, workers } = JSON.parse(out) as { helper: number; workers: number[] };
    expect(clusterWorkerPids(primary.pid!)).toEqual([...workers].sort((a, b) => a - b));
    expect(clusterWorkerPids(primary.pid!)).not.toContain(helper);
  }, 60_000);
});
