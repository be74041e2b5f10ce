/**
 * Installs stay quiet and deliberate (README, "Install"): every package of the lockfile that declares an install
 * script is named in package.json's `allowScripts`, allowed (`true`, it is needed: better-sqlite3 builds its
 * native module) or denied (`false`, it is not: protobufjs's postinstall only checks its own CLI's version). A new
 * dependency with an install script fails this test until someone decides which it is; otherwise npm prints its
 * "not yet covered by allowScripts" advisory on every install, and npm 12 skips the script silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

/** Package name of a lockfile key such as `node_modules/a/node_modules/@s/b`: the last `node_modules/` segment. */
function packageName(lockKey: string): string {
  return lockKey.slice(lockKey.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('install scripts', () => {
  const lock = readJson('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean; link?: boolean }> };
  const allowScripts = (readJson('package.json') as { allowScripts?: Record<string, unknown> }).allowScripts ?? {};

  it('names every locked package that has an install script in allowScripts, as true or false', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([key, entry]) => key.includes('node_modules/') && entry.hasInstallScript === true)
      .map(([key]) => packageName(key));
    expect(withScripts).toContain('better-sqlite3');
    const uncovered = withScripts.filter((name) => typeof allowScripts[name] !== 'boolean');
    expect(uncovered).toEqual([]);
  });

  it('allows exactly the native module it needs', () => {
    expect(Object.entries(allowScripts).filter(([, allowed]) => allowed === true).map(([name]) => name)).toEqual(['better-sqlite3']);
  });

  it('names no package the lockfile does not hold (a stale entry hides nothing, but misleads a reader)', () => {
    const locked = new Set(Object.keys(lock.packages).filter((key) => key.includes('node_modules/')).map(packageName));
    expect(Object.keys(allowScripts).filter((name) => !locked.has(name))).toEqual([]);
  });
});
