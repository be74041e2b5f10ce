/**
 * Command-line options of the bench scripts: node:util parseArgs, plus --help (-h) printing the
 * script's head comment, and a one-line message (with that usage) instead of a stack trace for an
 * unknown or malformed option.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The first block comment of the script at `scriptUrl`, without its comment markers. */
export function usage(scriptUrl) {
  const text = fs.readFileSync(fileURLToPath(scriptUrl), 'utf8');
  const block = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** parseArgs(config) for the script at `scriptUrl` (pass import.meta.url), with --help. */
export function benchArgs(scriptUrl, config) {
  let parsed;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (error) {
    console.error(`${error.message}\n\n${usage(scriptUrl)}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(usage(scriptUrl));
    process.exit(0);
  }
  return parsed;
}

/**
 * The value after `name` on the command line, or `fallback`: the lenient lookup of the single-purpose benchmarks
 * (planning, events, lance-versions, ...), which take a few flags each and ignore the rest.
 */
export function benchFlag(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
