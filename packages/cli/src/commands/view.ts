/** `lakegate view ls|describe`: Iceberg views. */
import type { LoadViewResult } from '@lakegate/client';
import { CONNECTION_HELP, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { dispatch, help } from '../cli/dispatch.js';
import { formatLevels, formatObjectIdentifier, NAMESPACE_OPTION, parseObjectIdentifier } from '../cli/identifiers.js';
import { listObjects } from '../cli/list-objects.js';
import { keyValue, table } from '../cli/output.js';
import { typeText } from '../cli/schema.js';
import { openCatalog } from '../cli/settings.js';

const HELP = `usage:
  lakegate view ls NAMESPACE
  lakegate view describe VIEW       (VIEW is NAMESPACE.NAME, or a bare name with --namespace)

${CONNECTION_HELP}`;

export function viewCommand(argv: string[]): Promise<number> {
  return dispatch('view', argv, { ls: (rest) => listObjects('views', rest, HELP), describe }, HELP);
}

type Version = {
  'version-id': number;
  'schema-id': number;
  'timestamp-ms': number;
  representations?: Array<{ type: string; sql?: string; dialect?: string }>;
  'default-namespace'?: string[];
};
type Metadata = LoadViewResult['metadata'] & {
  versions?: Version[];
  schemas?: Array<{ 'schema-id': number; fields: Array<{ id: number; name: string; type: unknown; required: boolean }> }>;
};

async function describe(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, NAMESPACE_OPTION);
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
        ['version', version ? `${version['version-id']} at ${new Date(Number(version['timestamp-ms'])).toISOString()}` : m['current-version-id']],
        ['versions', m.versions?.length ?? 0],
        ['default namespace', version?.['default-namespace'] ? formatLevels(version['default-namespace']) : undefined],
      ]),
    ];
    for (const r of version?.representations ?? [])
      lines.push('', `${r.type}${r.dialect ? ` (${r.dialect})` : ''}`, ...(r.sql ?? '').split('\n').map((l) => `  ${l}`));
    if (schema)
      lines.push(
        '',
        `schema (id ${schema['schema-id']})`,
        table(
          schema.fields.map((f) => ({ id: f.id, name: f.name, type: typeText(f.type), required: f.required ? 'yes' : 'no' })),
          ['id', 'name', 'type', 'required'],
        ).replace(/^/gm, '  '),
      );
    const props = Object.entries(m.properties ?? {});
    if (props.length) lines.push('', 'properties', keyValue(props, '  '));
    return lines.join('\n');
  });
  return 0;
}
