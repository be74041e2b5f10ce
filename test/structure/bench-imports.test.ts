/**
 * The benchmarks import the built server (packages/server/dist/...), which no type-check or test follows: when a
 * module moved (issue 56 moved planning/expression.ts to kit/expression.ts), bench/planning-java.mjs and
 * bench/policy-files.mjs went on importing the old path and failed at start, found only when a benchmark was next
 * run. This guard reads every bench script and checks that each module of a package's dist it names has its source
 * (the same path under src/, .ts for .js), so it holds without a build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BENCH = path.join(ROOT, 'bench');

function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? scripts(path.join(dir, e.name)) : /\.(mjs|js)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

/** Every dist module a script names: `dist('catalog/x.js')` (the server's dist, bench's helper) or a literal path. */
function distModules(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bdist\(\s*'([^']+\.js)'\s*\)/g)) out.push(`packages/server/dist/${m[1]}`);
  for (const m of text.matchAll(/packages\/([\w-]+)\/dist\/([\w/.-]+\.js)/g)) out.push(`packages/${m[1]}/dist/${m[2]}`);
  return out;
}

const sourceOf = (distPath: string) => distPath.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts');

describe('bench scripts', () => {
  it('import only dist modules whose source exists', () => {
    const named = scripts(BENCH).flatMap((file) => distModules(readFileSync(file, 'utf8')).map((m) => ({ file: path.relative(ROOT, file), m })));
    // The guard reads something: the planning and policy benches import the server's modules.
    expect(named.length).toBeGreaterThan(10);
    const missing = named.filter(({ m }) => !existsSync(path.join(ROOT, sourceOf(m)))).map(({ file, m }) => `${file}: ${m}`);
    expect(missing).toEqual([]);
  });
});
