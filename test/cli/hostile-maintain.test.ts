/**
 * `lakegate maintain --compact --partial-progress [--partial-progress-max-commits N]` with hostile values, as users
 * run the built bin against a real server process: a value that is no whole number (a sign, a fraction, an exponent,
 * hex, full-width digits, empty, a flag) is a usage error (exit 2) in the CLI's words; a whole number outside 1 to
 * 1,000 (zero, 2^53 and beyond, 400 digits) is the server's 400 (exit 1) naming the setting; a flag given twice or
 * with a value it does not take is a usage error. Never a stack trace, and the table is unchanged. Guards: they pass
 * on the code before this file.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliRun, type CliSession, jsonOf, startCliSession } from '../support/cli.js';

const SLOW = 120_000;
let cli: CliSession;
const lakegate = (...args: string[]): Promise<CliRun> => cli.run(args);
const compact = (...args: string[]) => lakegate('maintain', 'hm.t', '--compact', '--dry-run', ...args);
const noStack = (run: CliRun, label: string) => expect(`${run.stdout}${run.stderr}`, label).not.toMatch(/\n\s+at [\w.<>]+ \(|node:internal|\.js:\d+:\d+/);

beforeAll(async () => {
  cli = await startCliSession('lakegate-cli-hostile-maintain-');
  expect((await lakegate('ns', 'create', 'hm')).code).toBe(0);
  expect((await lakegate('table', 'create', 'hm.t', '--column', 'id:long')).code).toBe(0);
}, SLOW);
afterAll(async () => cli?.close());

const USAGE: Array<[string, string[]]> = [
  ['a negative number', ['--partial-progress-max-commits=-1']],
  ['a fraction', ['--partial-progress-max-commits', '1.5']],
  ['an exponent', ['--partial-progress-max-commits', '1e3']],
  ['hex', ['--partial-progress-max-commits', '0x10']],
  ['full-width digits', ['--partial-progress-max-commits', '\uff13']],
  ['an empty value', ['--partial-progress-max-commits=']],
  ['spaces', ['--partial-progress-max-commits', ' 3 ']],
  ['a word', ['--partial-progress-max-commits', 'NaN']],
  ['no value', ['--partial-progress-max-commits']],
  ['a value for the boolean flag', ['--partial-progress=yes']],
];

it.each(USAGE)(
  'refuses %s as a usage error (exit 2)',
  async (label, args) => {
    const run = await compact(...args);
    expect(run.code, `${label}: ${run.stderr}`).toBe(2);
    noStack(run, label);
  },
  SLOW,
);

const SERVER: Array<[string, string]> = [
  ['zero', '0'],
  ['1001', '1001'],
  ['2^53', '9007199254740992'],
  ['400 digits', '9'.repeat(400)],
];

it.each(SERVER)(
  "refuses %s with the server's 400 (exit 1) naming max-commits",
  async (label, value) => {
    const run = await compact('--partial-progress-max-commits', value);
    expect(run.code, `${label}: ${run.stderr}`).toBe(1);
    expect(run.stderr).toMatch(/max-commits/);
    noStack(run, label);
  },
  SLOW,
);

it(
  'takes a well-formed value, leading zeros included, and leaves the table as it was',
  async () => {
    const before = jsonOf(await lakegate('table', 'describe', 'hm.t', '--json'));
    for (const value of ['1', '0010', '1000']) {
      const run = await compact('--partial-progress-max-commits', value, '--json');
      expect(run.code, `${value}: ${run.stderr}`).toBe(0);
      expect(jsonOf(run).compaction).toMatchObject({ outcome: 'nothing-to-do' });
    }
    expect(jsonOf(await lakegate('table', 'describe', 'hm.t', '--json'))).toEqual(before);
  },
  SLOW,
);
