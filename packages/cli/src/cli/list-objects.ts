/** `lakegate table ls` and `lakegate view ls`: tables and views are listed alike, by the same identifiers. */
import type { TableIdentifier } from '@lakegate/client';
import { parseCommand } from './args.js';
import { commandContext } from './context.js';
import { help } from './dispatch.js';
import { formatLevels, formatObjectIdentifier, NAMESPACE_OPTION, namespaceArgument } from './identifiers.js';
import { table } from './output.js';
import { openCatalog } from './settings.js';

/**
 * Lists the tables or views of one namespace (the NAMESPACE argument or `--namespace`).
 *
 * @example
 * ```ts
 * const list = (argv: string[]) => listObjects('views', argv, HELP);
 * ```
 */
export async function listObjects(kind: 'tables' | 'views', argv: string[], helpText: string): Promise<number> {
  const { values, positionals } = parseCommand(argv, NAMESPACE_OPTION);
  if (values.help) return help(helpText);
  const namespace = namespaceArgument(positionals, values.namespace);
  const { out, settings } = commandContext(values);
  const catalog = openCatalog(settings);
  const ids = await out.progress(`listing ${kind}`, async () => {
    const found: TableIdentifier[] = [];
    for await (const id of kind === 'tables' ? catalog.tables(namespace) : catalog.views(namespace)) found.push(id);
    return found;
  });
  const one = kind === 'tables' ? 'table' : 'view';
  out.result({ [kind]: ids.map((id) => ({ name: formatObjectIdentifier(id), namespace: id.namespace, [one]: id.name })) }, () =>
    ids.length
      ? table(
          ids.map((id) => ({ namespace: formatLevels(id.namespace), name: id.name })),
          ['namespace', 'name'],
        )
      : `no ${kind} in ${formatLevels(namespace)}`,
  );
  return 0;
}
