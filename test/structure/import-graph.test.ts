/**
 * The import plan, kept true by a test (docs/architecture.md, "Levels"): no folder-level loop anywhere under
 * packages/*\/src, catalog/ importing nothing outside itself and errors/ (plus the protocol package, Node's
 * built-ins and pure libraries), and no source file over 400 lines.
 *
 * Ratchets, not exemptions: the loops and long files that stood when this test landed are listed below, each
 * with what is allowed of it. A loop that gains a member, a new loop, a listed file that grows, or a listed entry
 * that has gone (so its line must be removed) all fail, so the lists only shrink.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogLayerBreaches, folderLoops, longFiles, readSourceTree, type SourceTree } from '../support/import-graph.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Loops that stand, each with its members: none since catalog/ was sorted into levels (issue 56). A new loop is
 * fixed by moving the low piece below its users (docs/architecture.md, "Levels"), not by listing it here.
 */
const KNOWN_LOOPS: Record<string, string[]> = {};

/** Files over 400 lines when the test landed, each capped at its length then (split by responsibility next). */
const KNOWN_LONG: Record<string, number> = {
  // The SDK's documented facade of every Iceberg operation (its operations live in iceberg/*.ts); its formatted length.
  'packages/client/src/iceberg/catalog.ts': 492,
  // Published AWS test vectors as typed data, not code.
  'packages/sigv4/src/vectors/aws-c-auth-v4.ts': 519,
};

function loopProblems(tree: SourceTree): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const loop of folderLoops(tree)) {
    const [folder, members] = loop.split(': ') as [string, string];
    const allowed = KNOWN_LOOPS[folder];
    seen.add(folder);
    if (allowed === undefined) {
      problems.push(`new loop in ${loop}`);
      continue;
    }
    const joined = members.split(' ⇄ ').filter((m) => !allowed.includes(m));
    if (joined.length > 0) problems.push(`${folder}: ${joined.join(', ')} joined the known loop (${members})`);
  }
  for (const folder of Object.keys(KNOWN_LOOPS)) if (!seen.has(folder)) problems.push(`the loop in ${folder} is gone: remove its line from KNOWN_LOOPS`);
  return problems;
}

function fixture(files: Record<string, string>): SourceTree {
  return { files: new Map(Object.entries(files)) };
}

describe('the import plan', () => {
  const tree = readSourceTree(ROOT);

  it('reads the workspace (a guard that reads nothing proves nothing)', () => {
    expect(tree.files.size).toBeGreaterThan(400);
    expect([...tree.files.keys()].some((f) => f.startsWith('packages/server/src/catalog/'))).toBe(true);
  });

  it('has no folder-level loop at any depth beyond the known one, which may only shrink', () => {
    expect(loopProblems(tree)).toEqual([]);
  });

  it('keeps catalog/ free of HTTP, SQL, cloud SDKs and every outer folder but errors/', () => {
    expect(catalogLayerBreaches(tree)).toEqual([]);
  });

  it('keeps source files at 400 lines or fewer (the known long ones may not grow)', () => {
    const problems: string[] = [];
    const long = longFiles(tree, 400);
    for (const [file, lines] of long) {
      const cap = KNOWN_LONG[file];
      if (cap === undefined) problems.push(`${file} has ${lines} lines`);
      else if (lines > cap) problems.push(`${file} grew to ${lines} lines (cap ${cap})`);
    }
    for (const file of Object.keys(KNOWN_LONG)) if (!long.has(file)) problems.push(`${file} is 400 lines or fewer now: remove it from KNOWN_LONG`);
    expect(problems).toEqual([]);
  });
});

describe('the guard itself, on fixtures', () => {
  const layered = {
    'packages/demo/src/low/kit.ts': `export const kit = 1;\n`,
    'packages/demo/src/high/service.ts': `import { kit } from '../low/kit.js';\nexport const service = kit;\n`,
    'packages/demo/src/index.ts': `export { service } from './high/service.js';\n`,
  };

  it('finds no loop in a layered tree', () => {
    expect(folderLoops(fixture(layered))).toEqual([]);
  });

  it('fails on a deliberately added back import, at the depth where it loops', () => {
    const withBackImport = fixture({
      ...layered,
      'packages/demo/src/low/uses-high.ts': `import type { service } from '../high/service.js';\nexport type T = typeof service;\n`,
    });
    expect(folderLoops(withBackImport)).toEqual(['packages/demo/src: high ⇄ low']);
    expect(loopProblems(withBackImport)).toContain('new loop in packages/demo/src: high ⇄ low');
  });

  it('finds a loop between sibling folders two levels down, and a dynamic import counts', () => {
    const deep = fixture({
      'packages/demo/src/a/b/one.ts': `export async function f() { return import('../c/two.js'); }\n`,
      'packages/demo/src/a/c/two.ts': `export * from '../b/one.js';\n`,
    });
    expect(folderLoops(deep)).toEqual(['packages/demo/src/a: b ⇄ c']);
  });

  it('flags catalog/ reaching HTTP, SQL or an outer folder, and lets errors/ and the protocol package through', () => {
    const tree = fixture({
      'packages/server/src/errors/catalog-error.ts': `export class E {}\n`,
      'packages/server/src/persistence/store.ts': `export const s = 1;\n`,
      'packages/server/src/catalog/ok.ts': `import { E } from '../errors/catalog-error.js';\nimport type { X } from '@lakegate/protocol';\nimport { createHash } from 'node:crypto';\n`,
      'packages/server/src/catalog/bad.ts': `import { s } from '../persistence/store.js';\nimport Fastify from 'fastify';\nimport { Kysely } from 'kysely';\n`,
    });
    expect(catalogLayerBreaches(tree)).toEqual([
      'packages/server/src/catalog/bad.ts → ../persistence/store.js',
      'packages/server/src/catalog/bad.ts → fastify',
      'packages/server/src/catalog/bad.ts → kysely',
    ]);
  });

  it('counts lines as an editor does', () => {
    const tree = fixture({ 'packages/demo/src/a.ts': 'x\n'.repeat(401), 'packages/demo/src/b.ts': 'x\n'.repeat(400) });
    expect([...longFiles(tree, 400)]).toEqual([['packages/demo/src/a.ts', 401]]);
  });
});
