/** What the benchmark ran on: CPUs, memory, kernel, Node, Java, the commit. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HAS_TASKSET, NCPU, sh } from './proc.mjs';
import { FIXTURE_SCRIPT } from './servers.mjs';

export function machine(repo) {
  const javaCmd = process.env.JAVA_HOME && fs.existsSync(`${process.env.JAVA_HOME}/bin/java`) ? `${process.env.JAVA_HOME}/bin/java` : 'java';
  // An export of a commit (bench/ab.mjs, a quiet-machine run of a fixed build) names it in LAKEGATE_BENCH_COMMIT.
  let commit = process.env.LAKEGATE_BENCH_COMMIT ?? '';
  if (!commit)
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, encoding: 'utf8' }).trim();
      if (dirty) commit += ' (with uncommitted changes)';
    } catch {}
  const version = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(repo, p), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  let postgres = '?';
  try {
    const dirs = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    if (dirs[0]) postgres = sh(`/usr/lib/postgresql/${dirs[0]}/bin/postgres`, ['--version']);
  } catch {}
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    nproc: NCPU,
    cpuModel: os.cpus()[0]?.model ?? '?',
    memGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: sh(javaCmd, ['-version']).split('\n')[0],
    postgres,
    lakegate: version('packages/server/package.json'),
    iceberg: (/ICEBERG_VERSION=(\S+)/.exec(fs.readFileSync(FIXTURE_SCRIPT, 'utf8')) ?? [])[1] ?? '?',
    taskset: HAS_TASKSET,
  };
}
