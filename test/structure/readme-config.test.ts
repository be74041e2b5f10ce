/**
 * The README's "Configuration reference" table follows CONFIG_KEYS (config/keys.ts says so): one row per key, in its
 * order, with the key's environment variable and its default as `lakegate serve --help` prints it ((empty) for an
 * empty string). The descriptions may say more than the code's one line, so they are not compared. Before, nothing
 * checked the table: a default read "(none)" and three rows stood elsewhere than the keys' order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../packages/server/src/config/keys.js';

const README = readFileSync(path.resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The table's rows as `key | environment | default`, in the README's order. */
function tableRows(): string[] {
  const section = README.slice(README.indexOf('## Configuration reference'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| key |')));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split(' | ').slice(0, 3).join(' | '));
}

describe("README's configuration reference", () => {
  it('has one row per configuration key, in order, with its environment variable and default', () => {
    const expected = CONFIG_KEYS.map((k) => `| \`${k.key}\` | \`${k.env}\` | ${k.default === '' ? '(empty)' : `\`${String(k.default)}\``}`);
    expect(tableRows()).toEqual(expected);
  });
});
