/**
 * Sub-command dispatch for the commands that group several (`lakegate ns ls`, `lakegate table describe`, ...). One
 * place decides the aliases, when help is shown and how an unknown sub-command is reported, so every command
 * answers alike.
 */
import { UsageError } from './errors.js';

/** A sub-command: its own arguments in, an exit code out. */
export type SubCommand = (argv: string[]) => Promise<number>;

/** Aliases every command accepts, for those of its sub-commands that have these names. */
const COMMON_ALIASES: Readonly<Record<string, string>> = { list: 'ls', show: 'describe' };

/** Prints a help text and returns exit code 0. */
export function help(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

/** Whether `word`, in the place of a sub-command, asks for help (no word at all does too). */
export function isHelpWord(word: string | undefined): word is undefined | 'help' | '--help' | '-h' {
  return word === undefined || word === 'help' || word === '--help' || word === '-h';
}

/**
 * The sub-command `word` names, directly or through an alias ({@link COMMON_ALIASES} plus `aliases`), or undefined.
 *
 * @example
 * ```ts
 * findSubCommand({ ls: list }, 'list'); // list
 * ```
 */
export function findSubCommand(
  subCommands: Readonly<Record<string, SubCommand>>,
  word: string | undefined,
  aliases: Readonly<Record<string, string>> = {},
): SubCommand | undefined {
  if (word === undefined) return undefined;
  const name = Object.hasOwn(aliases, word) ? aliases[word]! : Object.hasOwn(COMMON_ALIASES, word) ? COMMON_ALIASES[word]! : word;
  return Object.hasOwn(subCommands, name) ? subCommands[name] : undefined;
}

/**
 * Runs the sub-command named by `argv[0]` with the rest of `argv`. No sub-command, `help`, `--help` or `-h` print
 * `helpText`; an unknown one is a usage error that lists the sub-commands in the order given.
 *
 * @example
 * ```ts
 * return dispatch('view', argv, { ls: list, describe }, HELP);
 * ```
 */
export async function dispatch(
  command: string,
  argv: string[],
  subCommands: Readonly<Record<string, SubCommand>>,
  helpText: string,
  aliases: Readonly<Record<string, string>> = {},
): Promise<number> {
  const [word, ...rest] = argv;
  if (isHelpWord(word)) return help(helpText);
  const run = findSubCommand(subCommands, word, aliases);
  if (!run) throw new UsageError(`unknown ${command} command ${JSON.stringify(word)}; expected ${alternatives(Object.keys(subCommands))}`);
  return run(rest);
}

/** `a, b or c`. */
function alternatives(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : names.join('');
}
