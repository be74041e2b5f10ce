/** `lakegate table ls|describe|create|drop|rename`: Iceberg tables. */
import type { LoadTableResult, TableIdentifier } from '@lakegate/client';
import { CONNECTION_HELP, jsonArg, keyValues, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { dispatch, help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { formatObjectIdentifier, NAMESPACE_OPTION, parseLevels, parseObjectIdentifier } from '../cli/identifiers.js';
import { listObjects } from '../cli/list-objects.js';
import { keyValue, table } from '../cli/output.js';
import { schemaFromColumns, schemaFromJson, typeText } from '../cli/schema.js';
import { openCatalog } from '../cli/settings.js';

const HELP = `usage:
  lakegate table ls NAMESPACE
  lakegate table describe TABLE
  lakegate table create TABLE (--column NAME:TYPE[:required] ... | --schema JSON|@FILE) [--location URI] [--property K=V ...]
  lakegate table drop TABLE [--purge]
  lakegate table rename TABLE NEW_NAME       (NEW_NAME without a dot stays in the same namespace)

TABLE is NAMESPACE.NAME, e.g. sales.eu.orders; quote a level with dots: 'sales."2024.q1".orders'. Or pass
--namespace/-n NAMESPACE and give TABLE as a bare name (not split at dots).
Column types: boolean int long float double date time timestamp timestamptz timestamp_ns timestamptz_ns
string uuid binary decimal(P,S) fixed[N]; nested types via --schema.

${CONNECTION_HELP}`;

export function tableCommand(argv: string[]): Promise<number> {
  return dispatch('table', argv, { ls: (rest) => listObjects('tables', rest, HELP), describe, create, drop, rename }, HELP);
}

async function describe(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, NAMESPACE_OPTION);
  if (values.help) return help(HELP);
  const [text] = positionalArgs(positionals, ['TABLE']);
  const id = parseObjectIdentifier(text!, values.namespace);
  const { out, settings } = commandContext(values);
  const catalog = openCatalog(settings);
  const loaded = await out.progress('loading table', () => catalog.loadTable(id));
  out.result(tableJson(id, loaded), () => describeTable(id, loaded));
  return 0;
}

async function create(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    ...NAMESPACE_OPTION,
    column: { type: 'string', multiple: true },
    schema: { type: 'string' },
    location: { type: 'string' },
    property: { type: 'string', multiple: true },
  });
  if (values.help) return help(HELP);
  const [text] = positionalArgs(positionals, ['TABLE']);
  const id = parseObjectIdentifier(text!, values.namespace);
  if (values.schema !== undefined && values.column !== undefined) throw new UsageError('use either --column or --schema, not both');
  const schema = values.schema !== undefined ? schemaFromJson(jsonArg(values.schema, '--schema')) : schemaFromColumns(values.column ?? []);
  const properties = keyValues(values.property, '--property');
  const { out, settings } = commandContext(values);
  const created = await out.progress('creating table', () =>
    openCatalog(settings).createTable(id.namespace, {
      name: id.name,
      schema,
      ...(values.location ? { location: values.location } : {}),
      ...(Object.keys(properties).length ? { properties } : {}),
    }),
  );
  out.result(
    tableJson(id, created),
    () =>
      `Created table ${formatObjectIdentifier(id)}\n${keyValue(
        [
          ['uuid', created.metadata['table-uuid']],
          ['location', created.metadata.location],
        ],
        '  ',
      )}`,
  );
  return 0;
}

async function drop(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...NAMESPACE_OPTION, purge: { type: 'boolean' } });
  if (values.help) return help(HELP);
  const [text] = positionalArgs(positionals, ['TABLE']);
  const id = parseObjectIdentifier(text!, values.namespace);
  const { out, settings } = commandContext(values);
  await out.progress('dropping table', () => openCatalog(settings).dropTable(id, { purge: values.purge === true }));
  out.result(
    { dropped: formatObjectIdentifier(id), identifier: id, purged: values.purge === true },
    () => `Dropped table ${formatObjectIdentifier(id)}${values.purge ? ' (files purged)' : ''}`,
  );
  return 0;
}

async function rename(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, NAMESPACE_OPTION);
  if (values.help) return help(HELP);
  const [fromText, toText] = positionalArgs(positionals, ['TABLE', 'NEW_NAME']);
  const from = parseObjectIdentifier(fromText!, values.namespace);
  const toLevels = parseLevels(toText!, 'new name');
  const to =
    toLevels.length === 1 ? { namespace: from.namespace, name: toLevels[0]! } : { namespace: toLevels.slice(0, -1), name: toLevels[toLevels.length - 1]! };
  const { out, settings } = commandContext(values);
  await openCatalog(settings).renameTable(from, to);
  out.result(
    { from: formatObjectIdentifier(from), to: formatObjectIdentifier(to), source: from, destination: to },
    () => `Renamed table ${formatObjectIdentifier(from)} to ${formatObjectIdentifier(to)}`,
  );
  return 0;
}

/** What `--json` shows of a table: identifier, metadata location and metadata (no config, no credentials). */
function tableJson(id: TableIdentifier, loaded: LoadTableResult) {
  return {
    name: formatObjectIdentifier(id),
    identifier: { namespace: id.namespace, name: id.name },
    'metadata-location': loaded['metadata-location'] ?? null,
    metadata: loaded.metadata,
  };
}

/** The human form of `table describe`. */
function describeTable(id: TableIdentifier, loaded: LoadTableResult): string {
  const m = loaded.metadata;
  const schema = m.schemas?.find((s) => s['schema-id'] === m['current-schema-id']) ?? m.schemas?.[0];
  const nameOf = (fieldId: number) => schema?.fields.find((f) => f.id === fieldId)?.name ?? `#${fieldId}`;
  const spec = m['partition-specs']?.find((s) => s['spec-id'] === m['default-spec-id']);
  const order = m['sort-orders']?.find((o) => o['order-id'] === m['default-sort-order-id']);
  const currentId = m['current-snapshot-id'];
  const current =
    currentId === undefined || currentId === null || currentId === -1
      ? undefined
      : m.snapshots?.find((s) => s['snapshot-id'] === currentId || String(s['snapshot-id']) === String(currentId));
  const lines = [
    keyValue([
      ['table', formatObjectIdentifier(id)],
      ['uuid', m['table-uuid']],
      ['format', `v${m['format-version']}`],
      ['location', m.location],
      ['metadata', loaded['metadata-location']],
      [
        'snapshot',
        current
          ? `${current['snapshot-id']} at ${new Date(Number(current['timestamp-ms'])).toISOString()}${current.summary?.['operation'] ? ` (${current.summary['operation']})` : ''}`
          : 'none',
      ],
      ['snapshots', m.snapshots?.length ?? 0],
      ['partitioned', spec && spec.fields.length ? spec.fields.map((f) => `${f.transform}(${nameOf(f['source-id'])}) as ${f.name}`).join(', ') : 'no'],
      [
        'sort order',
        order && order.fields.length
          ? order.fields.map((f) => `${f.transform}(${nameOf(f['source-id'])}) ${f.direction} ${f['null-order']}`).join(', ')
          : 'unsorted',
      ],
    ]),
    '',
    `schema${schema ? ` (id ${schema['schema-id']})` : ''}`,
    schema
      ? table(
          schema.fields.map((f) => ({ id: f.id, name: f.name, type: typeText(f.type), required: f.required ? 'yes' : 'no' })),
          ['id', 'name', 'type', 'required'],
        ).replace(/^/gm, '  ')
      : '  (none)',
  ];
  const props = Object.entries(m.properties ?? {});
  if (props.length) lines.push('', 'properties', keyValue(props, '  '));
  return lines.join('\n');
}
