/**
 * The import plan of the workspace, read from the sources as text: every relative import, `export … from` and
 * dynamic `import()` of a non-test TypeScript file under packages/<name>/src, resolved to the file it names.
 *
 * A folder-level loop: inside any folder D, each direct child (a sub-folder or a file) is one node, and an import
 * from a file under child X of a file under child Y (X ≠ Y) is an arrow X → Y; a strongly connected set of two
 * or more nodes is a loop. Checked at every depth, so a loop between two sub-folders of catalog/ counts as much as
 * one between two packages' top folders. Written by hand (a page of code): the dependency-graph packages on npm
 * either need a bundler's resolution or report file-level cycles only, and the rule here is per folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SourceTree {
  /** Repository-relative paths (posix) of the non-test sources, with their text. */
  files: Map<string, string>;
}

export interface ImportArrow {
  from: string;
  to: string;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g;

/** Reads packages/<name>/src of the repository at `root` (tests, declaration files and dist/ left out). */
export function readSourceTree(root: string): SourceTree {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(rel);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.set(rel, readFileSync(path.join(root, rel), 'utf8'));
      }
    }
  };
  for (const pkg of readdirSync(path.join(root, 'packages'), { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    try {
      walk(`packages/${pkg.name}/src`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { files };
}

/** Every import specifier of a source text, relative or bare. */
export function specifiersOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The file a relative specifier names (`./x.js` is `./x.ts`, a folder its index.ts), or undefined. */
export function resolveRelative(tree: SourceTree, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), `${target}.ts`, `${target}.tsx`, `${target}/index.ts`];
  return candidates.find((c) => tree.files.has(c));
}

export function importArrows(tree: SourceTree): ImportArrow[] {
  const arrows: ImportArrow[] = [];
  for (const [file, text] of tree.files) {
    for (const specifier of specifiersOf(text)) {
      const to = resolveRelative(tree, file, specifier);
      if (to !== undefined && to !== file) arrows.push({ from: file, to });
    }
  }
  return arrows;
}

/** Every folder-level loop, as "folder: a ⇄ b ⇄ c" (nodes sorted), sorted. */
export function folderLoops(tree: SourceTree, arrows = importArrows(tree)): string[] {
  const folders = new Set<string>();
  for (const file of tree.files.keys()) {
    for (let dir = path.posix.dirname(file); dir !== '.' && dir !== ''; dir = path.posix.dirname(dir)) folders.add(dir);
  }
  const loops: string[] = [];
  for (const folder of folders) {
    const childOf = (file: string) => (file.startsWith(`${folder}/`) ? file.slice(folder.length + 1).split('/')[0] : undefined);
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of arrows) {
      const x = childOf(from);
      const y = childOf(to);
      if (x === undefined || y === undefined || x === y) continue;
      let next = graph.get(x);
      if (next === undefined) graph.set(x, (next = new Set()));
      next.add(y);
      if (!graph.has(y)) graph.set(y, new Set());
    }
    for (const component of stronglyConnected(graph)) {
      if (component.length > 1) loops.push(`${folder}: ${component.sort().join(' ⇄ ')}`);
    }
  }
  return loops.sort();
}

/** Tarjan's strongly connected components, iterative (a deep folder must not overflow the stack). */
function stronglyConnected(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: Iterator<string> }> = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: graph.get(node)![Symbol.iterator]() });
    };
    enter(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const step = top.next.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.node);
        components.push(component);
      }
    }
  }
  return components;
}

/** Bare packages that bring HTTP, SQL, a cloud SDK or the auth internals' crypto into catalog/ (the layer rule). */
const OUTER_PACKAGES =
  /^(fastify|@fastify\/|kysely|better-sqlite3|pg$|pg-|@aws-sdk\/|@smithy\/|@azure\/|@google-cloud\/|google-auth-library|jose$|oauth4webapi|undici|kafkajs|nats$|@openfga\/)/;

/**
 * Imports of packages/server/src/catalog that break the layer rule: a relative import outside catalog/ and
 * errors/, or a bare import of an outer package (HTTP, SQL, cloud SDKs, token crypto). The protocol package,
 * Node's built-ins and pure libraries (Avro, JSON, hashing) are allowed.
 */
export function catalogLayerBreaches(tree: SourceTree, base = 'packages/server/src'): string[] {
  const breaches: string[] = [];
  for (const [file, text] of tree.files) {
    if (!file.startsWith(`${base}/catalog/`)) continue;
    for (const specifier of specifiersOf(text)) {
      if (specifier.startsWith('.')) {
        const to = resolveRelative(tree, file, specifier);
        const target = to ?? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        if (!target.startsWith(`${base}/catalog/`) && !target.startsWith(`${base}/errors/`)) breaches.push(`${file} → ${specifier}`);
      } else if (OUTER_PACKAGES.test(specifier)) {
        breaches.push(`${file} → ${specifier}`);
      }
    }
  }
  return breaches.sort();
}

/** Source files longer than `limit` lines, as path → line count. */
export function longFiles(tree: SourceTree, limit: number): Map<string, number> {
  const long = new Map<string, number>();
  for (const [file, text] of tree.files) {
    const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    if (lines > limit) long.set(file, lines);
  }
  return long;
}
