/**
 * The packages as users get them (issue 41): every public workspace is packed with `npm pack` (its prepack builds
 * dist/, and @lakegate/server's bundles the web console), the tarballs are installed into an empty project with a
 * fresh `npm install` (no workspace links: dependencies come from the registry through npm's cache, the @lakegate
 * packages from the tarballs), and from there: `lakegate --help` works, `lakegate serve` answers /healthz and serves
 * the console at /ui, ESM and CommonJS consumers load @lakegate/client, and TypeScript consumers (ES module and
 * CommonJS) type-check against its published types.
 *
 * Install scripts are skipped in the consumer (--ignore-scripts): the only one, better-sqlite3's, compiles SQLite for
 * minutes on this machine; its binary is copied from the repository's install of the same version (same Node ABI),
 * or rebuilt when the versions differ. That binary is upstream's build, not something these tarballs ship.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync, tempDir } from '../support/temp.js';
import { spawn } from 'node:child_process';

const WORKSPACES = ['packages/protocol', 'packages/sigv4', 'packages/server', 'packages/client', 'packages/cli'];
const work = tempDir('lakegate-packaging-');
const packDir = path.join(work.dir, 'tarballs');
const app = path.join(work.dir, 'consumer');
const npm = (args: string[], cwd: string, timeoutMs = 600_000) => runAsync('sh', ['-c', `cd '${cwd}' && npm ${args.join(' ')}`], { timeoutMs });
// Generous: the machine running the suite may be loaded, and tsc on the consumer reads the SDK's whole .d.ts tree.
const node = (args: string[]) => runAsync('sh', ['-c', `cd '${app}' && '${process.execPath}' ${args.join(' ')}`], { timeoutMs: 240_000 });
const ok = (r: { status: number | null; stdout: string; stderr: string }) => expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);

beforeAll(async () => {
  mkdirSync(packDir);
  mkdirSync(app);
  ok(await npm(['pack', '--silent', ...WORKSPACES.map((w) => `-w ${w}`), `--pack-destination '${packDir}'`], REPO_ROOT));
  const tarballs = Object.fromEntries(
    readdirSync(packDir).map((file) => {
      const manifest = JSON.parse(
        readFileSync(
          path.join(
            REPO_ROOT,
            WORKSPACES.find((w) => file.startsWith(w.endsWith('cli') ? 'lakegate-0' : `lakegate-${path.basename(w)}-`))!,
            'package.json',
          ),
          'utf8',
        ),
      ) as { name: string };
      return [manifest.name, `file:${path.join(packDir, file)}`];
    }),
  );
  expect(Object.keys(tarballs).sort()).toEqual(['@lakegate/client', '@lakegate/protocol', '@lakegate/server', '@lakegate/sigv4', 'lakegate']);
  // overrides: the packages' dependencies on each other (0.1.0) resolve to the tarballs, never to a registry.
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: tarballs, overrides: tarballs }, null, 2),
  );
  ok(await npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app));
  const sqlite = (root: string) => JSON.parse(readFileSync(path.join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')).version as string;
  const built = path.join(REPO_ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (sqlite(app) === sqlite(REPO_ROOT) && existsSync(built)) {
    mkdirSync(path.join(app, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
    copyFileSync(built, path.join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'));
  } else ok(await npm(['rebuild', 'better-sqlite3'], app));
}, 15 * 60_000);
afterAll(() => work.cleanup());

describe('the packed packages, installed from their tarballs', () => {
  it('install without workspace links, each with its built dist/', () => {
    for (const name of ['@lakegate/protocol', '@lakegate/sigv4', '@lakegate/server', '@lakegate/client', 'lakegate']) {
      const dir = path.join(app, 'node_modules', name);
      expect(existsSync(dir), name).toBe(true);
      expect(existsSync(path.join(dir, 'src')), `${name} ships sources`).toBe(false);
      expect(existsSync(path.join(dir, 'dist', name === 'lakegate' ? 'main.js' : 'index.js')), `${name} dist`).toBe(true);
    }
    expect(existsSync(path.join(app, 'node_modules/@lakegate/server/console/index.html'))).toBe(true);
  });

  it('run `lakegate --help`', async () => {
    const help = await node(['node_modules/.bin/lakegate', '--help']);
    ok(help);
    expect(help.stdout).toMatch(/^usage: lakegate <command>/);
  });

  it('load @lakegate/client from ESM and from CommonJS', async () => {
    const esm = await node([
      '--input-type=module',
      '-e',
      `"const c = await import('@lakegate/client'); console.log(typeof c.IcebergRestCatalog, typeof c.LanceNamespace, typeof c.isNotFound)"`,
    ]);
    ok(esm);
    expect(esm.stdout.trim()).toBe('function function function');
    const cjs = await node([
      '-e',
      `"const c = require('@lakegate/client'); console.log(typeof c.IcebergRestCatalog, typeof c.LanceNamespace, typeof c.isNotFound)"`,
    ]);
    ok(cjs);
    expect(cjs.stdout.trim()).toBe('function function function');
  });

  it('type-check a TypeScript consumer against the published types (and refuse a wrong use)', { timeout: 600_000 }, async () => {
    const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
      types: ['node'],
    };
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.mts', 'management.mts', 'management.cts'] }));
    // The management types are @lakegate/protocol's, reached through the client's declarations from both builds.
    const management = `import { LakegateManagement } from '@lakegate/client';
import type { DroppedObject, EventSinkKind, TableMaintenanceJob, Warehouse } from '@lakegate/client';
export async function summary(m: LakegateManagement): Promise<string[]> {
  const kinds: EventSinkKind[] = (await m.listEventSinks('lake')).map((s) => s.kind);
  const dropped: DroppedObject['kind'][] = (await m.listDroppedObjects('lake')).map((d) => d.kind);
  const job: TableMaintenanceJob = await m.getTableMaintenance('lake', { namespace: ['s'], name: 't' });
  const [w]: Warehouse[] = await m.listWarehouses();
  return [...kinds, ...dropped, job.state, job.progress?.phase ?? 'none', w?.['storage-profile'].type ?? 'none'];
}
`;
    writeFileSync(path.join(app, 'management.mts'), management);
    writeFileSync(path.join(app, 'management.cts'), management);
    writeFileSync(
      path.join(app, 'consumer.mts'),
      `import { IcebergRestCatalog, isNotFound } from '@lakegate/client';
const catalog = new IcebergRestCatalog({ uri: 'http://127.0.0.1:8181', warehouse: 'default', properties: { credential: 'id:secret' } });
export async function count(): Promise<number> {
  try { return (await catalog.listNamespaces()).items.length; } catch (e) { if (isNotFound(e)) return 0; throw e; }
}
`,
    );
    ok(await node([tsc, '-p', '.']));
    // The types are real, not any: a wrong argument is an error.
    writeFileSync(path.join(app, 'consumer.mts'), `import { IcebergRestCatalog } from '@lakegate/client';\nnew IcebergRestCatalog({ uri: 42 });\n`);
    writeFileSync(path.join(app, 'management.cts'), `${management}export const kind: EventSinkKind = 'smtp';\n`);
    const wrong = await node([tsc, '-p', '.']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toMatch(/consumer\.mts.*error TS2322/);
    expect(wrong.stdout).toMatch(/management\.cts.*error TS2322.*"smtp"/);
  });

  it('start `lakegate serve`, which answers /healthz and serves the console at /ui', async () => {
    const data = path.join(work.dir, 'data');
    const child = spawn(
      process.execPath,
      ['node_modules/.bin/lakegate', 'serve', '--port', '0', '--data-dir', data, '--workers', '1', '--log-format', 'json'],
      { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not listening:\n${out}`)), 60_000);
        const check = () => {
          const m = /listening at (http:\/\/[^\s"]+)/.exec(out);
          if (m) (clearTimeout(timer), resolve(m[1]!));
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ui = await fetch(`${url}/ui/`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toMatch(/<html/i);
      expect(out).not.toMatch(/console is not built/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(undefined)));
    }
  });
});
