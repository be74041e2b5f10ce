/** `lakegate ns ls|create|drop`: namespaces. */
import { CONNECTION_HELP, keyValues, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { dispatch, help } from '../cli/dispatch.js';
import { formatLevels, namespaceArgument, parseLevels } from '../cli/identifiers.js';
import { keyValue, table } from '../cli/output.js';
import { openCatalog } from '../cli/settings.js';

const HELP = `usage:
  lakegate ns ls [PARENT] [-r|--recursive]     list namespaces (top level, or below PARENT)
  lakegate ns create NAMESPACE [--property K=V ...]
  lakegate ns drop NAMESPACE                  (must be empty)

Namespaces are dotted: "sales.eu" is level "eu" below "sales"; quote a level that contains a dot: 'a."b.c"'.

${CONNECTION_HELP}`;

export function ns(argv: string[]): Promise<number> {
  return dispatch('ns', argv, { ls: list, create, drop }, HELP);
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { recursive: { type: 'boolean', short: 'r' } });
  if (values.help) return help(HELP);
  const [parentText] = positionalArgs(positionals, ['PARENT'], 1);
  const parent = parentText === undefined ? [] : parseLevels(parentText, 'namespace');
  const { out, settings } = commandContext(values);
  const catalog = openCatalog(settings);
  const found = await out.progress('listing namespaces', async () => {
    const all: string[][] = [];
    const walk = async (under: string[]) => {
      for await (const child of catalog.namespaces(under)) {
        all.push(child);
        if (values.recursive) await walk(child);
      }
    };
    await walk(parent);
    return all;
  });
  out.result({ namespaces: found.map((levels) => ({ name: formatLevels(levels), levels })) }, () =>
    found.length
      ? table(
          found.map((levels) => ({ namespace: formatLevels(levels) })),
          ['namespace'],
        )
      : `no namespaces${parent.length ? ` below ${formatLevels(parent)}` : ''}`,
  );
  return 0;
}

async function create(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { property: { type: 'string', multiple: true } });
  if (values.help) return help(HELP);
  const namespace = namespaceArgument(positionals);
  const properties = keyValues(values.property, '--property');
  const { out, settings } = commandContext(values);
  const created = await openCatalog(settings).createNamespace(namespace, properties);
  out.result({ namespace: formatLevels(created.namespace), levels: created.namespace, properties: created.properties }, () =>
    [`Created namespace ${formatLevels(created.namespace)}`, keyValue(Object.entries(created.properties), '  ')].filter(Boolean).join('\n'),
  );
  return 0;
}

async function drop(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(HELP);
  const namespace = namespaceArgument(positionals);
  const { out, settings } = commandContext(values);
  await openCatalog(settings).dropNamespace(namespace);
  out.result({ dropped: formatLevels(namespace), levels: namespace }, () => `Dropped namespace ${formatLevels(namespace)}`);
  return 0;
}
