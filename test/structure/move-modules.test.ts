/**
 * scripts/dev/move-modules.mjs on a temporary git repository: the moves are git renames, every relative specifier
 * that named a moved file names it at its new place in the style it was written in, a second run changes nothing,
 * and --repair mends the old-layout specifiers a merged branch brings in (from a new file, from a moved file, and
 * from a file the branch added under a moved folder's old path).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs dev script without declarations
import { run } from '../../scripts/dev/move-modules.mjs';

type Run = (root: string, options: { mapFile: string; dryRun?: boolean; repair?: boolean; mentions?: boolean }) => string[];
const moveModules = run as Run;

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function repo(files: Record<string, string>): void {
  root = mkdtempSync(path.join(tmpdir(), 'move-modules-'));
  write(files);
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'fixture');
}
function write(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}
function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' });
}
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const MAP = {
  'packages/server/src/catalog/tables/shared.ts': 'packages/server/src/catalog/kit/table-kit.ts',
  'src/catalog/ports.ts': 'src/catalog/ports/index.ts',
  'src/catalog/tables/shared.ts': 'src/catalog/kit/table-kit.ts',
  'src/catalog/outbox': 'src/catalog/management/events',
};

const TREE = {
  'moves.json': JSON.stringify(MAP),
  'src/catalog/ports.ts': `export interface Caller { id: string }\n`,
  'src/catalog/tables/shared.ts': `import type { Caller } from '../ports.js';\nexport const kit = (c: Caller) => c.id;\n`,
  'src/catalog/tables/load.ts': `import { kit } from './shared.js';\nexport { kit };\nexport const later = () => import('./shared.js');\n`,
  'src/catalog/outbox/sink.ts': `import type { Caller } from '../ports';\nimport { kit } from '../tables/shared.js';\nexport const sink = kit;\nexport type C = Caller;\n`,
  'src/catalog/outbox/index.ts': `export * from './sink.js';\n`,
  'src/app.ts': `import { sink } from './catalog/outbox/index.js';\nimport * as all from './catalog/outbox';\nexport { sink, all };\n`,
  'test/sink.test.ts': `import { vi } from 'vitest';\nvi.mock('../src/catalog/tables/shared.js', () => ({ kit: () => 'x' }));\nimport { sink } from '../src/catalog/outbox/sink.js';\nexport { sink };\n`,
  'src/catalog/outbox/schema.avsc': `{}\n`,
  'packages/server/src/catalog/tables/shared.ts': `export const built = 1;\n`,
  'packages/server/bench/kit.mjs': `const { built } = await import('../dist/catalog/tables/shared.js');\nimport { x } from '../dist/catalog/metadata/x.js';\n`,
};

describe('scripts/dev/move-modules.mjs', () => {
  it('moves files and folders as git renames and rewrites every specifier in its own style', () => {
    repo(TREE);
    const printed = moveModules(root, { mapFile: 'moves.json' });
    expect(printed).toContain('move src/catalog/outbox/schema.avsc → src/catalog/management/events/schema.avsc');
    expect(git('status', '--porcelain')).toMatch(/^R. src\/catalog\/tables\/shared.ts -> src\/catalog\/kit\/table-kit.ts$/m);
    expect(read('src/catalog/kit/table-kit.ts')).toContain(`from '../ports/index.js'`);
    expect(read('src/catalog/tables/load.ts')).toBe(
      `import { kit } from '../kit/table-kit.js';\nexport { kit };\nexport const later = () => import('../kit/table-kit.js');\n`,
    );
    // extensionless stays extensionless; a folder import of a moved folder stays a folder import
    expect(read('src/catalog/management/events/sink.ts')).toContain(`from '../../ports/index'`);
    expect(read('src/catalog/management/events/sink.ts')).toContain(`from '../../kit/table-kit.js'`);
    expect(read('src/catalog/management/events/index.ts')).toBe(`export * from './sink.js';\n`);
    expect(read('src/app.ts')).toBe(
      `import { sink } from './catalog/management/events/index.js';\nimport * as all from './catalog/management/events';\nexport { sink, all };\n`,
    );
    expect(read('test/sink.test.ts')).toContain(`vi.mock('../src/catalog/kit/table-kit.js'`);
    // a built file is named by the dist/ path of its source's new place; other dist/ imports stay as written
    expect(read('packages/server/bench/kit.mjs')).toBe(
      `const { built } = await import('../dist/catalog/kit/table-kit.js');\nimport { x } from '../dist/catalog/metadata/x.js';\n`,
    );
    expect(read('test/sink.test.ts')).toContain(`from '../src/catalog/management/events/sink.js'`);
  });

  it('rewrites the paths comments and docs name in words, on --mentions only', () => {
    repo({
      ...TREE,
      'docs/events.md': 'The sink port (`catalog/outbox/sink.ts`, beside `packages/x/src/catalog/tables/shared.ts`); not catalog/outboxes/sink.ts.\n',
      'src/catalog/tables/load.ts': `// the kit (tables/shared.ts), and src/catalog/ports.ts as written\n${TREE['src/catalog/tables/load.ts']}`,
    });
    moveModules(root, { mapFile: 'moves.json' });
    expect(read('docs/events.md')).toContain('`catalog/outbox/sink.ts`');
    moveModules(root, { mapFile: 'moves.json', mentions: true });
    expect(read('docs/events.md')).toBe(
      'The sink port (`catalog/management/events/sink.ts`, beside `packages/x/src/catalog/kit/table-kit.ts`); not catalog/outboxes/sink.ts.\n',
    );
    expect(read('src/catalog/tables/load.ts')).toMatch(/^\/\/ the kit \(kit\/table-kit.ts\), and src\/catalog\/ports.ts as written\n/);
  });

  it('prints without changing anything on --dry-run, and a second run has nothing to do', () => {
    repo(TREE);
    const planned = moveModules(root, { mapFile: 'moves.json', dryRun: true });
    expect(planned).toContain('rewrite src/catalog/tables/load.ts');
    expect(git('status', '--porcelain')).toBe('');
    moveModules(root, { mapFile: 'moves.json' });
    git('add', '-A');
    const before = git('diff', '--cached', '--stat');
    expect(moveModules(root, { mapFile: 'moves.json' })).toEqual([]);
    git('add', '-A');
    expect(git('diff', '--cached', '--stat')).toBe(before);
  });

  it('repairs what a branch merged after the move still names by the old layout', () => {
    repo(TREE);
    moveModules(root, { mapFile: 'moves.json' });
    write({
      // a new file that names old paths from where it stands
      'src/catalog/tables/drop.ts': `import { kit } from './shared.js';\nimport type { Caller } from '../ports.js';\nexport const drop = (c: Caller) => kit(c);\n`,
      // a moved file given a new line written from where it stood (src/catalog/outbox/sink.ts)
      'src/catalog/management/events/sink.ts': `${read('src/catalog/management/events/sink.ts')}export { kit as k2 } from '../tables/shared.js';\n`,
      // a file the branch added under the moved folder's old path
      'src/catalog/outbox/delivery.ts': `import { sink } from './sink.js';\nimport type { Caller } from '../ports.js';\nexport const deliver = (c: Caller) => sink(c);\n`,
    });
    expect(moveModules(root, { mapFile: 'moves.json', dryRun: true })).not.toContain('rewrite src/catalog/tables/drop.ts');
    const printed = moveModules(root, { mapFile: 'moves.json', repair: true });
    expect(printed).toContain('move src/catalog/outbox/delivery.ts → src/catalog/management/events/delivery.ts');
    expect(printed.filter((l) => l.startsWith('unresolved'))).toEqual([]);
    expect(read('src/catalog/tables/drop.ts')).toBe(
      `import { kit } from '../kit/table-kit.js';\nimport type { Caller } from '../ports/index.js';\nexport const drop = (c: Caller) => kit(c);\n`,
    );
    expect(read('src/catalog/management/events/sink.ts')).toContain(`export { kit as k2 } from '../../kit/table-kit.js';`);
    expect(read('src/catalog/management/events/delivery.ts')).toBe(
      `import { sink } from './sink.js';\nimport type { Caller } from '../../ports/index.js';\nexport const deliver = (c: Caller) => sink(c);\n`,
    );
    expect(moveModules(root, { mapFile: 'moves.json', repair: true })).toEqual([]);
  });
});
