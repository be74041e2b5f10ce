/**
 * The published shape of @lakegate/client works for both kinds of consumers: the package is packed with npm (so the
 * "files" list and "exports" map are what a user gets), unpacked into a temporary node_modules, and a tiny .mjs and
 * .cjs program each run under plain `node`, talk to a real Lakegate server and branch on typed errors.
 */
import { symlinkSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync, tempDir } from '../support/temp.js';

const CLIENT_DIR = path.join(REPO_ROOT, 'packages', 'client');
let server: ServerProcess;
let token: string;
const work = tempDir('lakegate-consumers-');

beforeAll(async () => {
  // The build is what consumers run (CI builds before testing; this makes a local run current too).
  const build = await runAsync(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', CLIENT_DIR, path.join(CLIENT_DIR, 'tsconfig.cjs.json')],
    { timeoutMs: 280_000 },
  );
  expect(build.status, build.stdout + build.stderr).toBe(0);

  const packed = await runAsync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work.dir, '-w', '@lakegate/client'], {
    env: { ...process.env, npm_config_loglevel: 'error' },
    timeoutMs: 120_000,
  });
  expect(packed.status, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = info!.files.map((f) => f.path);
  for (const required of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'cjs/index.js', 'cjs/index.d.ts', 'cjs/package.json'])
    expect(files).toContain(required);
  expect(files.some((f) => f.endsWith('.tsbuildinfo') || f.startsWith('src/'))).toBe(false);

  const modules = path.join(work.dir, 'node_modules');
  const installed = path.join(modules, '@lakegate', 'client');
  mkdirSync(installed, { recursive: true });
  const untar = await runAsync('tar', ['-xzf', path.join(work.dir, path.basename(info!.filename)), '-C', installed, '--strip-components=1']);
  expect(untar.status, untar.stderr).toBe(0);
  // Its dependencies come from the workspace's node_modules (their own dependencies resolve from there too).
  const manifest = (await import(path.join(installed, 'package.json'), { with: { type: 'json' } })).default as { dependencies: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies)) {
    const target = dep.startsWith('@lakegate/') ? path.join(REPO_ROOT, 'packages', dep.slice('@lakegate/'.length)) : path.join(REPO_ROOT, 'node_modules', dep);
    mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    symlinkSync(target, path.join(modules, dep), 'dir');
  }
  expect(readdirSync(path.join(modules, '@lakegate')).sort()).toEqual(['client', 'protocol', 'sigv4']);

  server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  token = await server.token();
}, 420_000);

afterAll(async () => {
  await server?.stop();
  work.cleanup();
});

/** The same program in both module systems; `load` is how each gets the package. */
const program = (load: string, flavour: string) => `
${load}
const { IcebergRestCatalog, LakegateManagement, CatalogError, ConfigurationError, isNotFound, isConflict } = sdk;
async function main() {
  const catalog = new IcebergRestCatalog({ uri: process.env.CATALOG_URI, properties: { token: process.env.CATALOG_TOKEN } });
  const ns = ['consumer_${flavour}'];
  await catalog.createNamespace(ns, { flavour: '${flavour}' });
  const created = await catalog.createTable(ns, { name: 't', schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] } });
  const again = await catalog.createNamespace(ns).catch((e) => e);
  const missing = await catalog.loadTable({ namespace: ns, name: 'nope' }).catch((e) => e);
  let configuration;
  try { new IcebergRestCatalog({ uri: 'http://127.0.0.1:1', properties: { 'rest.auth.type': 'no-such-provider' } }); } catch (e) { configuration = e; }
  const management = new LakegateManagement({ uri: process.env.CATALOG_URI, properties: { token: process.env.CATALOG_TOKEN } });
  const role = await management.createRole({ name: 'role_${flavour}' });
  const roleAgain = await management.createRole({ name: 'role_${flavour}' }).catch((e) => e);
  const other = await otherFlavour();
  return {
    role: role.name,
    roleConflict: roleAgain instanceof CatalogError && isConflict(roleAgain),
    resolved: resolved.slice(resolved.indexOf('node_modules')),
    properties: await catalog.loadNamespace(ns),
    formatVersion: created.metadata['format-version'],
    conflict: again instanceof CatalogError && isConflict(again),
    notFound: missing instanceof CatalogError && isNotFound(missing) && missing.type === 'NoSuchTableException',
    configuration: configuration instanceof ConfigurationError,
    crossFlavour: missing instanceof other.CatalogError && other.isNotFound(missing) && configuration instanceof other.ConfigurationError,
    sameClass: other.CatalogError === CatalogError,
  };
}
main().then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });
`;

const ESM = program(
  `import * as sdk from '@lakegate/client';
import { createRequire } from 'node:module';
const resolved = import.meta.resolve('@lakegate/client');
const otherFlavour = async () => createRequire(import.meta.url)('@lakegate/client');`,
  'esm',
);

const CJS = program(
  `const sdk = require('@lakegate/client');
const resolved = require.resolve('@lakegate/client');
const otherFlavour = () => import('@lakegate/client');`,
  'cjs',
);

async function runConsumer(file: string, source: string): Promise<Record<string, unknown>> {
  const script = path.join(work.dir, file);
  writeFileSync(script, source);
  const run = await runAsync(process.execPath, [script], { env: { ...process.env, CATALOG_URI: server.url, CATALOG_TOKEN: token }, timeoutMs: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

it.each([
  { kind: 'an ES module consumer imports the ESM build', file: 'consumer.mjs', source: ESM, build: 'dist', flavour: 'esm' },
  { kind: 'a CommonJS consumer requires the CommonJS build', file: 'consumer.cjs', source: CJS, build: 'cjs', flavour: 'cjs' },
])('$kind and talks to a real catalog', async ({ file, source, build, flavour }) => {
  const result = await runConsumer(file, source);
  expect(result).toEqual({
    resolved: `node_modules/@lakegate/client/${build}/index.js`,
    // The namespace shows its default location (under the warehouse root) beside what was set.
    properties: { flavour, location: expect.stringMatching(new RegExp(`/warehouse/consumer_${flavour}$`)) },
    role: `role_${flavour}`,
    roleConflict: true,
    formatVersion: 2,
    conflict: true,
    notFound: true,
    configuration: true,
    crossFlavour: true,
    sameClass: false,
  });
});

it('keeps one auth provider registry for both builds: a provider registered through require() serves import(), and the reverse', async () => {
  const source = `
const cjs = require('@lakegate/client');
cjs.registerAuthProvider('from-cjs', ({ properties }) => ({ async authenticate(r) { r.headers.authorization = 'Bearer ' + properties['from-cjs.token']; } }));
import('@lakegate/client').then(async (esm) => {
  esm.registerAuthProvider('from-esm', () => ({ async authenticate() {} }));
  const catalog = new esm.IcebergRestCatalog({ uri: process.env.CATALOG_URI, properties: { 'rest.auth.type': 'from-cjs', 'from-cjs.token': process.env.CATALOG_TOKEN } });
  const page = await catalog.listNamespaces();
  let duplicate = false;
  try { esm.registerAuthProvider('from-cjs', () => ({ async authenticate() {} })); } catch (e) { duplicate = e instanceof esm.ConfigurationError; }
  console.log(JSON.stringify({
    twoBuilds: esm.IcebergRestCatalog !== cjs.IcebergRestCatalog,
    names: esm.registeredAuthProviders(),
    sameNames: JSON.stringify(cjs.registeredAuthProviders()) === JSON.stringify(esm.registeredAuthProviders()),
    listed: Array.isArray(page.items),
    esmProviderFromCjs: typeof cjs.createAuthProvider({ 'rest.auth.type': 'from-esm' }).authenticate,
    duplicateRefused: duplicate,
  }));
}).catch((e) => { console.error(e); process.exitCode = 1; });
`;
  expect(await runConsumer('both-builds.cjs', source)).toEqual({
    twoBuilds: true,
    names: ['api-key', 'basic', 'bearer', 'from-cjs', 'from-esm', 'gcp', 'none', 'oauth2', 'sigv4', 'token-exchange'],
    sameNames: true,
    listed: true,
    esmProviderFromCjs: 'function',
    duplicateRefused: true,
  });
});
