/**
 * `lakegate function` as users run it (the built bin, through the SDK, against a real server process): a function put
 * from a file and from stdin, listed and shown as engines read it, replaced, dropped; bad metadata refused by the
 * server (exit 1), a missing --file or unreadable JSON by the command (exit 2).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliRun, type CliSession, jsonOf, startCliSession } from '../support/cli.js';

const SLOW = 120_000;
let cli: CliSession;
const lakegate = (args: string[], input?: string): Promise<CliRun> => cli.run(args, input === undefined ? {} : { input });
const json = jsonOf;
const udf = (sql: string) => ({
  'format-version': 1,
  definitions: [
    {
      'definition-id': 'int',
      parameters: [{ name: 'x', type: 'int' }],
      'return-type': 'int',
      'function-type': 'udf',
      versions: [{ 'version-id': 1, representations: [{ type: 'sql', dialect: 'spark', sql }], 'timestamp-ms': 1 }],
      'current-version-id': 1,
    },
    {
      'definition-id': 'double',
      parameters: [{ name: 'x', type: 'double' }],
      'return-type': 'double',
      'function-type': 'udf',
      versions: [{ 'version-id': 2, representations: [{ type: 'sql', dialect: 'trino', sql }], 'timestamp-ms': 1 }],
      'current-version-id': 2,
    },
  ],
  doc: 'adds one',
});

beforeAll(async () => {
  cli = await startCliSession('lakegate-cli-function-');
  expect((await lakegate(['ns', 'create', 'sales'])).code).toBe(0);
}, SLOW);
afterAll(async () => cli?.close());

it(
  'puts, lists, shows, replaces and drops a function, and refuses bad input',
  async () => {
    expect((await lakegate(['function', 'ls', 'sales'])).stdout).toContain('no functions');
    const file = path.join(cli.configDir, 'add_one.json');
    writeFileSync(file, JSON.stringify(udf('x + 1')));
    const put = json(await lakegate(['function', 'put', 'sales.add_one', '--file', file, '--json']));
    expect(put.metadata.definitions).toEqual(udf('x + 1').definitions);
    expect(json(await lakegate(['function', 'ls', 'sales', '--json']))).toEqual(['sales.add_one']);
    const shown = await lakegate(['function', 'show', 'sales.add_one']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/add_one\(int\)\s+int\s+1\s+spark/);
    expect(shown.stdout).toMatch(/add_one\(double\)\s+double\s+2\s+trino/);
    // Replaced from stdin: same uuid, new body.
    const replaced = json(await lakegate(['function', 'put', 'sales.add_one', '--file', '-', '--json'], JSON.stringify(udf('x + 1.0'))));
    expect(replaced.metadata['function-uuid']).toBe(put.metadata['function-uuid']);
    expect(json(await lakegate(['function', 'show', 'sales.add_one', '--json'])).metadata.definitions[0].versions[0].representations[0].sql).toBe('x + 1.0');
    // Bad input: the server's 400 (exit 1), the command's own (exit 2).
    const bad = await lakegate(['function', 'put', 'sales.bad', '--file', '-'], JSON.stringify({ ...udf('x'), 'format-version': 2 }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/format-version/);
    expect((await lakegate(['function', 'put', 'sales.bad'])).code).toBe(2);
    expect((await lakegate(['function', 'put', 'sales.bad', '--file', '-'], 'not json')).code).toBe(2);
    expect((await lakegate(['function', 'rm', 'sales.add_one'])).code).toBe(0);
    expect((await lakegate(['function', 'show', 'sales.add_one'])).code).toBe(1);
    expect((await lakegate(['function', 'ls', 'sales'])).stdout).toContain('no functions');
  },
  SLOW,
);
