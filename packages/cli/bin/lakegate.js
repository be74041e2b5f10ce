#!/usr/bin/env node
// Node's on-disk compile cache, before anything else is loaded: a second start reads the compiled code of the CLI,
// the server and their dependencies instead of compiling it again (docs/deployment.md, "Start-up"). Node's own
// NODE_COMPILE_CACHE (a directory) and NODE_DISABLE_COMPILE_CACHE (off) win. The directory is handed on through the
// environment, so the cluster workers of `serve --workers N` and the server's worker threads use it too. A cache
// that cannot be written (a read-only HOME or tmp) is skipped: it never stops the command.
import module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (!process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE && typeof module.enableCompileCache === 'function') {
  try {
    const dir = path.join(tmpdir(), 'node-compile-cache');
    if (module.enableCompileCache(dir).status === module.constants.compileCacheStatus.ENABLED) process.env.NODE_COMPILE_CACHE = dir;
  } catch {
    // No cache: the command runs as without one.
  }
}

const { main } = await import('../dist/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`lakegate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
