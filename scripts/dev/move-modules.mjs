#!/usr/bin/env node
/**
 * Moves modules by a JSON map (old path → new path, files or folders, repository-relative) and rewrites every
 * relative specifier that named a moved file: `import … from`, `export … from`, `import '…'`, `import('…')`,
 * `vi.mock/doMock/unmock/importActual/importMock('…')` and `require('…')`, in every tracked or new code file of the
 * repository (.ts, .tsx, .mts, .cts, .js, .mjs, .cjs). A specifier keeps its style: `./x.js` for a .ts file stays
 * a `.js` name, an extensionless one stays extensionless, a folder import stays a folder import.
 *
 *   node scripts/dev/move-modules.mjs [--map FILE] [--dry-run] [--repair]
 *
 * --map      the move map (default scripts/dev/catalog-levels.moves.json)
 * --dry-run  print the moves and rewrites, change nothing
 * --mentions also rewrite the paths that comments and docs (.md) name in words: `catalog/things/low.ts` (with or
 *            without its packages/<name>/src/ prefix) and the short `things/low.ts` a sibling folder's comment uses (not in scripts/dev/ nor this tool's test)
 * --repair   also mend specifiers that no longer resolve: after a merge, a branch's files still name the old paths
 *            (from where they stand, or from where a moved file stood), so each such specifier's old target is
 *            looked up in the map and rewritten to the new place. A file still standing under a moved folder's
 *            old path (a branch added it there) is moved as well, in either mode.
 *
 * Idempotent: a move whose target exists is done already, and a specifier that resolves to an unmoved file stays.
 * Written by hand (one page): codemod tools (ts-morph, jscodeshift) move files and fix imports but know neither a
 * move map nor a repair pass for specifiers merged in after the move, which is the point of this tool.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CODE = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;
const SPECIFIER =
  /(\bfrom\s*|\bimport\s*\(\s*|(?:^|[\s;])import\s+|\bvi\.(?:mock|doMock|unmock|importActual|importMock)\s*\(\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"\n]*|\.{1,2})\2/gm;

/** Maps a path through the move map: the longest entry that is the path or a folder above it. */
export function mapper(moves) {
  const entries = Object.entries(moves)
    .map(([from, to]) => [strip(from), strip(to)])
    .sort((a, b) => b[0].length - a[0].length);
  return (file) => {
    for (const [from, to] of entries) {
      if (file === from) return to;
      if (file.startsWith(`${from}/`)) return `${to}${file.slice(from.length)}`;
    }
    return file;
  };
}

function strip(p) {
  return path.posix.normalize(p).replace(/\/+$/, '');
}

/** The file a relative specifier names from `fromFile` within `files`, or undefined. */
export function resolveIn(files, fromFile, specifier) {
  return resolvePath(files, path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier)));
}

/** The file of `files` that a specifier's joined path names (`x.js` is x.ts, a folder its index), or undefined. */
function resolvePath(files, target) {
  const candidates = [target];
  for (const [js, ts] of [
    ['.js', '.ts'],
    ['.js', '.tsx'],
    ['.mjs', '.mts'],
    ['.cjs', '.cts'],
  ]) {
    if (target.endsWith(js)) candidates.push(target.slice(0, -js.length) + ts);
  }
  for (const ext of ['.ts', '.tsx', '.js', '.mjs']) candidates.push(target + ext);
  for (const index of ['index.ts', 'index.tsx', 'index.js']) candidates.push(`${target}/${index}`);
  return candidates.find((c) => files.has(c));
}

/** For a specifier naming packages/<name>/dist/…: the source path it is built from (…/src/…, unresolved). */
function builtTarget(fromFile, specifier) {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  const m = /^(packages\/[^/]+)\/dist\/(.+)$/.exec(joined);
  return m === null ? undefined : { source: `${m[1]}/src/${m[2]}` };
}

/** A specifier from `fromFile` to `target` in the style of `original` (which named `originalTarget`). */
export function specifierFor(fromFile, target, original, originalTarget) {
  const base = original.replace(/\/+$/, '').split('/').pop() ?? '';
  let named = target;
  if (/^index\.[^/]+$/.test(path.posix.basename(originalTarget)) && !/^index(\.|$)/.test(base)) {
    named = path.posix.dirname(target); // a folder import stays one
  } else {
    const ext = path.posix.extname(originalTarget);
    const written = path.posix.extname(base);
    const stem = target.slice(0, target.length - path.posix.extname(target).length);
    if (written === '') named = stem;
    else if (written !== ext) named = stem + written; // `.js` naming a .ts file
  }
  let rel = path.posix.relative(path.posix.dirname(fromFile), named);
  if (rel === '') rel = '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * Plans the moves and rewrites over `files` (path → text, or undefined for a non-code file): which files move,
 * and each changed text under its new path. Pure, so the test drives it on a fixture tree.
 */
export function plan(files, moves, { repair = false } = {}) {
  const map = mapper(moves);
  const inverse = mapper(Object.fromEntries(Object.entries(moves).map(([a, b]) => [b, a])));
  const present = new Set(files.keys());
  const moved = new Map();
  const notes = [];
  for (const file of present) {
    const to = map(file);
    if (to === file) continue;
    if (present.has(to)) notes.push(`both ${file} and ${to} exist: left as is`);
    else moved.set(file, to);
  }
  const after = new Set([...present].map((f) => moved.get(f) ?? f));
  const now = (f) => moved.get(f) ?? f;
  const oldNames = new Set([...after].map(inverse));
  const rewrites = new Map();
  const unresolved = [];
  for (const [file, text] of files) {
    if (text === undefined || !CODE.test(file)) continue;
    const at = now(file);
    let changed = false;
    const next = text.replace(SPECIFIER, (whole, lead, quote, spec) => {
      const built = builtTarget(file, spec);
      if (built !== undefined) {
        // a bench or script that imports a package's built dist/ file: the source it is built from decides
        const source = resolvePath(present, built.source) ?? (repair ? resolvePath(oldNames, built.source) : undefined);
        if (source === undefined || !after.has(map(source)) || map(source) === source) return whole;
        const dist = map(source)
          .replace(/^(packages\/[^/]+)\/src\//, '$1/dist/')
          .replace(/\.tsx?$/, '.js');
        changed = true;
        return `${lead}${quote}${specifierFor(at, dist, spec, dist)}${quote}`;
      }
      let target = resolveIn(present, file, spec);
      let original = target;
      if (target !== undefined) {
        target = now(target);
      } else if (repair) {
        // a specifier written for the old layout: from where the file stands, where it stood before this run,
        // or where it stood before the map's moves (a moved file that a merge brought new lines into)
        for (const from of new Set([at, file, inverse(at)])) {
          const old = resolvePath(oldNames, path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)));
          if (old !== undefined && after.has(map(old))) {
            original = old;
            target = map(old);
            break;
          }
        }
      }
      if (target === undefined) {
        unresolved.push(`${at}: ${spec}`);
        return whole;
      }
      const written = specifierFor(at, target, spec, original);
      if (resolveIn(after, at, written) === target && resolveIn(after, at, spec) === target) return whole;
      changed = true;
      return `${lead}${quote}${written}${quote}`;
    });
    if (changed || moved.has(file)) rewrites.set(at, { from: file, text: changed ? next : undefined });
  }
  return { moved, rewrites, notes, unresolved };
}

/** Rewrites the moved paths a text names in words (comments, docs): whole from src/, or by their last two segments. */
export function mentions(text, moves) {
  const pairs = [];
  for (const [from, to] of Object.entries(moves)) {
    const [o, n] = [strip(from), strip(to)].map((p) => p.replace(/^(?:packages\/[\w-]+\/)?src\//, ''));
    pairs.push([o, n]);
    const [os, ns] = [o.split('/'), n.split('/')];
    if (os.length >= 3) pairs.push([os.slice(-2).join('/'), ns.length >= 3 ? ns.slice(1).join('/') : ns[ns.length - 1]]);
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  const escape = (p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // a file's name ends where no name character follows; a folder's is followed by the rest of a path
  const names = pairs.map(([o]) => escape(o) + (path.posix.extname(o) === '' ? '(?=/[\\w])' : '(?![\\w-]|/[\\w])'));
  const pattern = new RegExp(`(?<![\\w./-])(packages/[\\w-]+/src/)?(${names.join('|')})`, 'g');
  const to = new Map(pairs);
  return text.replace(pattern, (whole, prefix = '', old) => prefix + to.get(old));
}

function git(root, ...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Runs the tool on the repository at `root`; returns the printed lines. */
export function run(root, { mapFile, dryRun = false, repair = false, mentions: inWords = false }) {
  const moves = JSON.parse(readFileSync(path.resolve(root, mapFile), 'utf8'));
  delete moves.$comment;
  const listed = git(root, 'ls-files', '-co', '--exclude-standard', '-z').split('\0').filter(Boolean);
  const files = new Map();
  for (const file of listed) {
    if (!existsSync(path.join(root, file))) continue; // deleted in the work tree
    files.set(file, CODE.test(file) ? readFileSync(path.join(root, file), 'utf8') : undefined);
  }
  const { moved, rewrites, notes, unresolved } = plan(files, moves, { repair });
  if (inWords) {
    for (const file of files.keys()) {
      if (!/\.(?:ts|tsx|mjs|md)$/.test(file) || file.startsWith('scripts/dev/') || file.includes('move-modules')) continue;
      const at = moved.get(file) ?? file;
      const before = rewrites.get(at)?.text ?? readFileSync(path.join(root, file), 'utf8');
      const after = mentions(before, moves);
      if (after !== before) rewrites.set(at, { from: file, text: after });
    }
  }
  const lines = [];
  for (const [from, to] of moved) lines.push(`move ${from} → ${to}`);
  for (const [at, { text }] of rewrites) if (text !== undefined) lines.push(`rewrite ${at}`);
  for (const note of notes) lines.push(`note: ${note}`);
  if (repair) for (const u of unresolved) lines.push(`unresolved: ${u}`);
  if (dryRun) return lines;
  const tracked = new Set(git(root, 'ls-files', '-z').split('\0').filter(Boolean));
  for (const [from, to] of moved) {
    mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    if (tracked.has(from)) git(root, 'mv', from, to);
    else execFileSync('mv', [path.join(root, from), path.join(root, to)]);
  }
  for (const [at, { text }] of rewrites) if (text !== undefined) writeFileSync(path.join(root, at), text);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const mapAt = args.indexOf('--map');
  const options = {
    mapFile: mapAt >= 0 ? args[mapAt + 1] : 'scripts/dev/catalog-levels.moves.json',
    dryRun: args.includes('--dry-run'),
    repair: args.includes('--repair'),
    mentions: args.includes('--mentions'),
  };
  const root = git(process.cwd(), 'rev-parse', '--show-toplevel').trim();
  const lines = run(root, options);
  console.log(lines.length === 0 ? 'nothing to do' : lines.join('\n'));
}
