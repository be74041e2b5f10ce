/**
 * The CLI turns on Node's compile cache (packages/cli/bin/lakegate.js; docs/deployment.md, "Start-up"): in
 * <tmpdir>/node-compile-cache by default, off with NODE_DISABLE_COMPILE_CACHE, and a cache that cannot be made never
 * stops the command.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync, tempDir } from '../support/temp.js';

const BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'lakegate.js');

let temp: ReturnType<typeof tempDir> | undefined;
afterEach(() => temp?.cleanup());

/** `lakegate --help` with TMPDIR set and Node's own cache variables as given (none inherited from the test run). */
function help(tmpdir: string, env: Record<string, string> = {}) {
  const { NODE_COMPILE_CACHE: _dir, NODE_DISABLE_COMPILE_CACHE: _off, ...rest } = process.env;
  return runAsync(process.execPath, [BIN, '--help'], { env: { ...rest, TMPDIR: tmpdir, ...env } });
}

describe('the compile cache of the lakegate command', { timeout: 60_000 }, () => {
  it('is written under the temporary directory', async () => {
    temp = tempDir('lakegate-cc-');
    const run = await help(temp.dir);
    expect(run.status, run.stderr).toBe(0);
    const cache = path.join(temp.dir, 'node-compile-cache');
    expect(existsSync(cache)).toBe(true);
    expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(1);
  });

  it('is not written with NODE_DISABLE_COMPILE_CACHE', async () => {
    temp = tempDir('lakegate-cc-');
    const run = await help(temp.dir, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(path.join(temp.dir, 'node-compile-cache'))).toBe(false);
  });

  it('never stops the command when it cannot be made', async () => {
    temp = tempDir('lakegate-cc-');
    // A file where the temporary directory should be: no directory can be made under it, even by root.
    const notADirectory = path.join(temp.dir, 'file');
    writeFileSync(notADirectory, '');
    const run = await help(notADirectory);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage: lakegate <command>/);
    expect(run.stderr).toBe('');
  });
});
