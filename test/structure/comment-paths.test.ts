/**
 * Comments name source files to point the reader at a rule's home ("the sweep (dropped/dropped-service.ts)"). When a
 * file moves or is renamed, those names went stale unnoticed (issue 56 found undrop-service.ts, intent-ports.ts,
 * catalog/federation/ports.ts, ...). This guard reads every comment under packages/*\/src: each `.ts`/`.tsx` file it
 * names must exist somewhere in the workspace, and a name with folders must be the tail of an existing path.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSourceTree, type SourceTree } from '../support/import-graph.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SKIP = new Set(['node_modules', 'dist', '.git']);

function workspaceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out;
}

const COMMENT = /(?:\/\/|\/\*|^\s*\*)(.*)$/gm;
const NAMED = /(?<![\w@/.-])((?:[\w.-]+\/)*[\w-]+(?:\.[\w-]+)*\.tsx?)\b/g;

/** `file: name` for each file a comment names that no path in `files` ends with. */
export function staleNames(tree: SourceTree, files: readonly string[]): string[] {
  const paths = files.map((f) => `/${f}`);
  const stale: string[] = [];
  for (const [file, text] of tree.files) {
    for (const comment of text.matchAll(COMMENT)) {
      for (const [, name] of comment[1]!.matchAll(NAMED)) {
        if (name!.endsWith('.d.ts')) continue;
        const tail = `/${name!.replace(/^(\.\.?\/)+/, '')}`;
        if (!paths.some((p) => p.endsWith(tail))) stale.push(`${file}: ${name}`);
      }
    }
  }
  return stale;
}

describe('file names in comments', () => {
  it('name files that exist', () => {
    const tree = readSourceTree(ROOT);
    expect(tree.files.size).toBeGreaterThan(400);
    expect(staleNames(tree, workspaceFiles(ROOT))).toEqual([]);
  });

  it('flags a name no file has, and a folder that does not hold it', () => {
    const tree: SourceTree = {
      files: new Map([
        ['packages/demo/src/a.ts', '/** See b.ts and gone.ts (lib/b.ts, other/b.ts). */\n// import-free: ./b.ts\nconst x = "not-a-comment.ts";\n'],
      ]),
    };
    expect(staleNames(tree, ['packages/demo/src/a.ts', 'packages/demo/src/lib/b.ts'])).toEqual([
      'packages/demo/src/a.ts: gone.ts',
      'packages/demo/src/a.ts: other/b.ts',
    ]);
  });
});
