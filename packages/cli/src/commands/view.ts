/** `lakegate view ls|describe`: Iceberg views. */
import type { LoadViewResult, TableIdentifier } from '@lakegate/client';
import { CONNECTION_HELP, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { formatLevels, formatObjectIdentifier, parseLevels, parseObjectIdentifier } from '../cli/identifiers.js';
import { keyValue, table } from '../cli/output.js';
import { typeText } from '../cli/schema.js';
import { openCatalog } from '../cli/settings.js';
import { help } from './login.js';

const HELP = `usage:
  lakegate view ls NAMESPACE
  lakegate view describe VIEW       (VIEW is NAMESPACE.NAME, or a bare name with --namespace)

${CONNECTION_HELP}`;

export async function viewCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'ls':
    case 'list':
      return list(rest);
    case 'describe':
    case 'show':
      return describe(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return help(HELP);
    default:
      throw new UsageError(`unknown view command ${JSON.stringify(sub)}; expected ls or describe`);
  }
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { namespace: { type: 'string', short: 'n' } });
  if (values.help) return help(HELP);
  const [text] = positionalArgs(positionals, ['NAMESPACE'], values.namespace === undefined ? 0 : 1);
  if (text !== undefined && values.namespace !== undefined) throw new UsageError('give the namespace either as argument or with --namespace');
  const namespace = parseLevels((text ?? values.namespace)!, 'namespace');
  const { out, settings } = commandContext(values);
  const catalog = openCatalog(settings);
  const ids = await out.progress('listing views', async () => {
    const found: TableIdentifier[] = [];
    for await (const id of catalog.views(namespace)) found.push(id);
    return found;
  });
  out.result({ views: ids.map((id) => ({ name: formatObjectIdentifier(id), namespace: id.namespace, view: id.name })) }, () =>
    ids.length ? table(ids.map((id) => ({ namespace: formatLevels(id.namespace), name: id.name })), ['namespace', 'name']) : `no views in ${formatLevels(namespace)}`,
  );
  return 0;
}

type Version = { 'version-id': number; 'schema-id': number; 'timestamp-ms': number; representations?: Array<{ type: string; sql?: string; dialect?: string }>; 'default-namespace'?: string[] };
type Metadata = LoadViewResult['metadata'] & { versions?: Version[]; schemas?: Array<{ 'schema-id': number; fields: Array<{ id: number; name: string; type: unknown; required: boolean }> }> };

async function describe(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { namespace: { type: 'string', short: 'n' } });
  if (values.help) return help(HELP);
  const [text] = positionalArgs(positionals, ['VIEW']);
  const id = parseObjectIdentifier(text!, values.namespace, 'view');
  const { out, settings } = commandContext(values);
  const loaded = await out.progress('loading view', () => openCatalog(settings).loadView(id));
  out.result({ name: formatObjectIdentifier(id), identifier: id, 'metadata-location': loaded['metadata-location'], metadata: loaded.metadata }, () => {
    const m = loaded.metadata as Metadata;
    const version = m.versions?.find((v) => v['version-id'] === m['current-version-id']);
    const schema = m.schemas?.find((s) => s['schema-id'] === version?.['schema-id']);
    const lines = [
      keyValue([
        ['view', formatObjectIdentifier(id)],
        ['uuid', m['view-uuid']],
        ['format', `v${m['format-version']}`],
        ['location', m.location],
        ['metadata', loaded['metadata-location']],
        ['version', version ? `${version['version-id']} at ${new Date(version['timestamp-ms']).toISOString()}` : m['current-version-id']],
        ['versions', m.versions?.length ?? 0],
        ['default namespace', version?.['default-namespace'] ? formatLevels(version['default-namespace']) : undefined],
      ]),
    ];
    for (const r of version?.representations ?? []) lines.push('', `${r.type}${r.dialect ? ` (${r.dialect})` : ''}`, ...(r.sql ?? '').split('\n').map((l) => `  ${l}`));
    if (schema) lines.push('', `schema (id ${schema['schema-id']})`, table(schema.fields.map((f) => ({ id: f.id, name: f.name, type: typeText(f.type), required: f.required ? 'yes' : 'no' })), ['id', 'name', 'type', 'required']).replace(/^/gm, '  '));
    const props = Object.entries(m.properties ?? {});
    if (props.length) lines.push('', 'properties', keyValue(props, '  '));
    return lines.join('\n');
  });
  return 0;
}
