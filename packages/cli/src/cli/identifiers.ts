/**
 * Identifiers on the command line: `db.sales.orders` is table `orders` in namespace `db.sales`. A level that
 * contains a dot or a double quote is written in double quotes, with `""` for a literal quote: `db."2024.q1".t`.
 * With `--namespace a.b`, the TABLE argument is one bare name and is not split.
 */
import { positionalArgs } from './args.js';
import { UsageError } from './errors.js';

/** The `--namespace`/`-n` option of the table and view commands. */
export const NAMESPACE_OPTION = { namespace: { type: 'string', short: 'n' } } as const;

/**
 * Splits a dotted identifier into its levels.
 *
 * @example
 * ```ts
 * parseLevels('db."a.b".t'); // ['db', 'a.b', 't']
 * ```
 */
export function parseLevels(text: string, what = 'identifier'): string[] {
  const levels: string[] = [];
  let i = 0;
  if (text === '') throw new UsageError(`empty ${what}`);
  for (;;) {
    let level = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new UsageError(`unterminated quote in ${what} ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            level += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        level += text[i++];
      }
      if (i < text.length && text[i] !== '.') throw new UsageError(`expected "." after a quoted level in ${what} ${JSON.stringify(text)}`);
    } else {
      while (i < text.length && text[i] !== '.') {
        if (text[i] === '"') throw new UsageError(`a quote may only start a level in ${what} ${JSON.stringify(text)}`);
        level += text[i++];
      }
    }
    if (level === '') throw new UsageError(`empty level in ${what} ${JSON.stringify(text)}`);
    levels.push(level);
    if (i >= text.length) return levels;
    i++; // the dot
    if (i >= text.length) throw new UsageError(`${what} ${JSON.stringify(text)} ends with "."`);
  }
}

/** Writes levels back in the form {@link parseLevels} reads. */
export function formatLevels(levels: readonly string[]): string {
  return levels.map((l) => (/[."]/.test(l) || l.trim() !== l || l === '' ? `"${l.replaceAll('"', '""')}"` : l)).join('.');
}

/**
 * The NAMESPACE argument of a command: the one positional, or `--namespace` instead of it (never both).
 *
 * @example
 * ```ts
 * const namespace = namespaceArgument(positionals, values.namespace); // ['sales', 'eu']
 * ```
 */
export function namespaceArgument(positionals: string[], option?: string): string[] {
  const [text] = positionalArgs(positionals, ['NAMESPACE'], option === undefined ? 0 : 1);
  if (text !== undefined && option !== undefined) throw new UsageError('give the namespace either as argument or with --namespace');
  return parseLevels((text ?? option)!, 'namespace');
}

/** A table or view identifier: `ns.name`, or a bare name with `--namespace`. */
export function parseObjectIdentifier(text: string, namespace: string | undefined, what = 'table'): { namespace: string[]; name: string } {
  if (namespace !== undefined) {
    if (text === '') throw new UsageError(`empty ${what} name`);
    return { namespace: parseLevels(namespace, 'namespace'), name: text };
  }
  const levels = parseLevels(text, what);
  if (levels.length < 2) throw new UsageError(`${what} ${JSON.stringify(text)} needs a namespace: write NAMESPACE.NAME or pass --namespace`);
  return { namespace: levels.slice(0, -1), name: levels[levels.length - 1]! };
}

/** `ns.name` for display. */
export function formatObjectIdentifier(id: { namespace: readonly string[]; name: string }): string {
  return formatLevels([...id.namespace, id.name]);
}
