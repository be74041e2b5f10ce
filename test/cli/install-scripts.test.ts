/**
 * Installs stay quiet and deliberate (README, "Install"): every package of the lockfile that declares an install
 * script is named in package.json's `allowScripts`, allowed (`true`, it is needed) or denied (`false`, it is not:
 * protobufjs's postinstall only checks its own CLI's version). None is allowed today: better-sqlite3 13, the one
 * native module the server loads, ships Node-API prebuilds (one binary for every Node line); npm still infers a
 * `node-gyp rebuild` from the binding.gyp it keeps for source builds, so it is denied by name (a rebuild would need
 * the Node headers, and buys nothing). A new
 * dependency with an install script fails this test until someone decides which it is; otherwise npm prints its
 * "not yet covered by allowScripts" advisory on every install, and npm 12 skips the script silently.
 * And npm resolves every peer dependency of the locked tree without overriding one: `npm ci` prints no
 * "ERESOLVE overriding peer dependency" warning (package.json's `overrides` says which @opentelemetry/api the
 * dev-only Azurite telemetry chain runs with; README, "Install").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
    const uncovered = withScripts.filter((name) => typeof allowScripts[name] !== 'boolean');
    expect(uncovered).toEqual([]);
  });

  it('allows only the optional kerberos addon: better-sqlite3 13 ships Node-API prebuilds, and the rebuild npm would infer for it is denied', () => {
    // kerberos (federation.auth "kerberos", docs/federation.md) is optional and built from source where its prebuilt
    // download is unreachable; npm skips it when the build fails.
    expect(
      Object.entries(allowScripts)
        .filter(([, allowed]) => allowed === true)
        .map(([name]) => name),
    ).toEqual(['kerberos']);
    const server = readJson('packages/server/package.json') as { optionalDependencies?: Record<string, string>; dependencies?: Record<string, string> };
    expect(server.optionalDependencies?.kerberos).toBeDefined();
    expect(server.dependencies?.kerberos).toBeUndefined();
    expect(allowScripts['better-sqlite3']).toBe(false);
  });

  it('names no package the lockfile does not hold (a stale entry hides nothing, but misleads a reader)', () => {
    const locked = new Set(
      Object.keys(lock.packages)
        .filter((key) => key.includes('node_modules/'))
        .map(packageName),
    );
    expect(Object.keys(allowScripts).filter((name) => !locked.has(name))).toEqual([]);
  });
});

describe('peer dependencies', () => {
  it('resolve in the locked tree without npm overriding any (npm ci --dry-run prints no ERESOLVE warning)', () => {
    // npm's own resolver on a copy of the manifests and the lockfile: a dry run installs nothing.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-npm-peers-'));
    try {
      const workspaces = fs.readdirSync(path.join(root, 'packages')).map((p) => path.join('packages', p, 'package.json'));
      for (const file of ['package.json', 'package-lock.json', ...workspaces.filter((f) => fs.existsSync(path.join(root, f)))]) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(path.join(root, file), path.join(dir, file));
      }
      const bundled = path.join(path.dirname(process.execPath), 'npm');
      const npm = fs.existsSync(bundled) ? bundled : 'npm';
      const run = spawnSync(npm, ['ci', '--dry-run', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/ERESOLVE/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
