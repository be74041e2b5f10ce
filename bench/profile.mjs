#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `bench/run.mjs --cpu-prof DIR`): where the
 * server's CPU time went, by component (Node's HTTP stack, Fastify, pino, Kysely, SQLite, our own
 * packages, GC…) and by function, as µs per request when the request count is given.
 *
 *   node bench/profile.mjs FILE.cpuprofile [--requests N] [--top 40] [--match TEXT] [--last S] [--skip S]
 *
 * --last S keeps only the samples of the last S seconds before --skip S (the end of the profile by
 * default): the measured cell, without start-up, seeding and warm-up.
 * --match TEXT also lists the inclusive (self + callees) time of every function whose name or
 * file contains TEXT, e.g. `--match access-service`.
 */
import fs from 'node:fs';
import { benchArgs } from './lib/args.mjs';

const { values: opt, positionals } = benchArgs(import.meta.url, {
  options: {
    requests: { type: 'string' },
    last: { type: 'string' },
    skip: { type: 'string' },
    top: { type: 'string', default: '40' },
    match: { type: 'string', multiple: true },
  },
  allowPositionals: true,
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile.mjs FILE.cpuprofile [--requests N] [--top 40] [--match TEXT]\n');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
const requests = opt.requests ? Number(opt.requests) : undefined;

/** Component of a call frame, from its file. */
function component(frame) {
  const url = frame.url ?? '';
  const fn = frame.functionName;
  if (!url) {
    if (fn === '(garbage collector)') return 'GC';
    if (fn === '(idle)') return 'idle';
    if (fn === '(program)') return 'program (native, outside JS)';
    return `native ${fn || '(anonymous)'}`;
  }
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, '');
    if (/^(_http|http)/.test(mod) || mod.startsWith('http')) return 'node:http';
    if (/^(net|stream|streams|dns|tcp|socket)/.test(mod) || mod.includes('stream')) return 'node:net+streams';
    return `node:${mod.split('/')[0]}`;
  }
  const p = /packages\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(url);
  if (p)
    return `lakegate ${p[1]}/${p[2]
      .split('/')
      .slice(0, p[2].includes('/') ? -1 : 1)
      .join('/')}`;
  return url;
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Self time per node from the samples and their time deltas.
// Sample times; --last/--skip pick a window counted back from the end of the profile.
const at = [];
for (let i = 0, t = profile.startTime; i < profile.samples.length; i++) at.push((t += profile.timeDeltas[i] ?? 0));
const windowEnd = profile.endTime - Number(opt.skip ?? 0) * 1e6;
const windowStart = opt.last ? windowEnd - Number(opt.last) * 1e6 : -Infinity;
const inWindow = (i) => at[i] >= windowStart && at[i] <= windowEnd;
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  if (!inWindow(i)) continue;
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs.entries()].filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
const busy = total - idle;

const byComponent = new Map();
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const f = nodes.get(id).callFrame;
  const c = component(f);
  if (c === 'idle') continue;
  byComponent.set(c, (byComponent.get(c) ?? 0) + us);
  const key = `${f.functionName || '(anonymous)'}  ${(f.url ?? '').replace(/^.*node_modules\//, '').replace(/^file:\/\/.*packages\//, '')}:${f.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}

const fmt = (us) => (requests ? `${(us / requests).toFixed(1).padStart(8)} µs/req` : `${(us / 1000).toFixed(0).padStart(8)} ms`);
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
process.stdout.write(
  `profile: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s${requests ? `, ${requests} requests: ${(busy / requests).toFixed(1)} µs/req` : ''}\n\n`,
);
process.stdout.write('self time by component\n');
for (const [c, us] of [...byComponent].sort((a, b) => b[1] - a[1]).slice(0, 30)) process.stdout.write(`  ${fmt(us)} ${pct(us)}  ${c}\n`);
process.stdout.write(`\nself time by function (top ${opt.top})\n`);
for (const [f, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) process.stdout.write(`  ${fmt(us)} ${pct(us)}  ${f}\n`);

if (opt.match?.length) {
  // Inclusive time: every sample whose stack contains a matching frame counts once for that frame's key.
  const incl = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    if (!inWindow(i)) continue;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = nodes.get(id).callFrame;
      const key = `${f.functionName || '(anonymous)'}  ${(f.url ?? '').replace(/^.*node_modules\//, '').replace(/^file:\/\/.*packages\//, '')}:${f.lineNumber + 1}`;
      if (seen.has(key) || !opt.match.some((m) => key.includes(m))) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  }
  process.stdout.write(`\ninclusive time of functions matching ${opt.match.join(', ')}\n`);
  for (const [f, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) process.stdout.write(`  ${fmt(us)} ${pct(us)}  ${f}\n`);
}
