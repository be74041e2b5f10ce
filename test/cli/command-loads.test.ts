/**
 * The client side of the CLI loads only what a command uses (docs/deployment.md, "Start-up"): `lakegate --help` and
 * the client commands load neither the server (Fastify, SQLite) nor the protocol package's schemas (TypeBox, Ajv):
 * each command's module is imported when it runs, and the SDK takes its runtime values from
 * `@lakegate/protocol/constants` and `@lakegate/protocol/json-native`. Before, every run of the CLI loaded 391 modules,
 * 200 of them TypeBox's. The runs are real processes of the built CLI; test/support/package-loads.mjs records every npm
 * package each loads.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSession, jsonOf, startCliSession } from '../support/cli.js';

const HOOK = pathToFileURL(path.resolve(import.meta.dirname, '..', 'support', 'package-loads.mjs')).href;
/** What no client command needs: the server's libraries and the wire schemas' validators. */
const SERVER_SIDE = ['@sinclair/typebox', 'ajv', 'fastify', 'better-sqlite3', 'kysely', 'pino'];

let cli: CliSession;
let log: string;

/** Runs the CLI with the package-loads hook: its exit, output, and the npm packages the process loaded. */
async function traced(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; packages: Set<string> }> {
  rmSync(log, { force: true });
  const run = await cli.run(args, { env: { NODE_OPTIONS: `--import=${HOOK}`, LAKEGATE_TEST_PACKAGE_LOG: log } });
  const packages = new Set(existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
  return { ...run, packages };
}

beforeAll(async () => {
  cli = await startCliSession('lakegate-command-loads-');
  log = path.join(cli.configDir, 'packages.txt');
});
afterAll(async () => {
  await cli?.close();
});

describe('what a CLI command loads', { timeout: 60_000 }, () => {
  it('help loads no server library and no schema library', async () => {
    const help = await traced(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: lakegate');
    expect(SERVER_SIDE.filter((name) => help.packages.has(name))).toEqual([]);
  });

  it('a client command talks to the catalog without loading the schemas or the server', async () => {
    expect((await cli.run(['ns', 'create', 'loads'])).code).toBe(0);
    const listed = await traced(['ns', 'ls', '--json']);
    expect(JSON.stringify(jsonOf(listed))).toContain('loads');
    // The record works: the SDK's own dependencies are in it (the workspace's own packages are linked, not recorded).
    expect(listed.packages).toContain('oauth4webapi');
    expect(SERVER_SIDE.filter((name) => listed.packages.has(name))).toEqual([]);
  });

  it('a Lance error code still reaches the user through the light entry (an unknown table is a clear failure)', async () => {
    const missing = await traced(['table', 'describe', 'loads.missing', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found|does not exist|NoSuchTable/i);
    expect(SERVER_SIDE.filter((name) => missing.packages.has(name))).toEqual([]);
  });

  it('a command name that is an Object prototype key is an unknown command, not a crash', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const run = await cli.run([name]);
      expect(run.code, `${name}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(`unknown command ${JSON.stringify(name)}`);
    }
  });
});
