#!/usr/bin/env node
/**
 * Builds the console (vite build into dist/), writes a gzip and a brotli copy beside every text asset (the server
 * serves them to browsers that accept them), and measures the first load: index.html plus every script, preloaded
 * module and stylesheet it references, gzipped. Fails above the budget (300 KB gzipped) and writes the figures to
 * dist/bundle-size.json, which test/http/console.test.ts asserts as well.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
export const BUDGET_BYTES = 300 * 1024;

await build({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else files.push(file);
  }
};
walk(dist);
const gzipped = new Map();
for (const file of files.filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  gzipped.set(path.relative(dist, file), { raw: raw.length, gzip: gz.length });
  writeFileSync(`${file}.gz`, gz);
  writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
}

const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const referenced = [...html.matchAll(/(?:src|href)="\/ui\/([^"]+)"/g)].map((m) => m[1]);
const firstLoad = ['index.html', ...referenced];
const total = firstLoad.reduce((sum, f) => sum + (gzipped.get(f)?.gzip ?? 0), 0);
const report = {
  budgetBytes: BUDGET_BYTES,
  firstLoadGzipBytes: total,
  firstLoad: Object.fromEntries(firstLoad.map((f) => [f, gzipped.get(f)])),
  allAssets: Object.fromEntries(gzipped),
};
writeFileSync(path.join(dist, 'bundle-size.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`console: first load ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB), ${firstLoad.length} files\n`);
if (total > BUDGET_BYTES) {
  process.stderr.write(`console: the first load is over budget\n`);
  process.exit(1);
}
