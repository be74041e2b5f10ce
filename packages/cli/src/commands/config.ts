/** `lakegate config`: the effective connection settings and the catalog's negotiated /v1/config. */
import { CONNECTION_HELP, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { keyValue, table } from '../cli/output.js';
import { maskProperties } from '../cli/secrets.js';
import { authTypeOf, openCatalog } from '../cli/settings.js';

const HELP = `usage: lakegate config [--local] [connection options]

Shows the profile and settings in effect (secrets masked) and, unless --local, the catalog's negotiated
configuration: defaults, overrides and the endpoints it advertises.

${CONNECTION_HELP}`;

export async function config(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { local: { type: 'boolean' } });
  if (values.help) return help(HELP);
  positionalArgs(positionals, []);
  const { out, settings } = commandContext(values);
  const local = {
    name: settings.profileName,
    file: settings.store.file,
    stored: settings.profile !== undefined,
    uri: settings.uri ?? null,
    warehouse: settings.warehouse ?? null,
    auth: authTypeOf(settings),
    properties: maskProperties(settings.properties),
  };
  let catalog: { defaults: Record<string, string>; overrides: Record<string, string>; endpoints: string[] | null } | undefined;
  if (!values.local) {
    const client = openCatalog(settings);
    const raw = await out.progress('fetching /v1/config', () => client.config());
    catalog = { defaults: maskProperties(raw.defaults ?? {}), overrides: maskProperties(raw.overrides ?? {}), endpoints: raw.endpoints ?? null };
  }
  out.result({ profile: local, ...(catalog ? { catalog } : {}) }, () => {
    const lines = [
      `profile "${local.name}"${local.stored ? '' : ' (not stored)'}  ${local.file}`,
      keyValue(
        [
          ['uri', local.uri],
          ['warehouse', local.warehouse],
          ['auth', local.auth],
          ...Object.entries(local.properties).map(([k, v]): [string, string] => [k, v]),
        ],
        '  ',
      ),
    ];
    if (catalog) {
      lines.push('', 'catalog configuration');
      const pairs = (kind: string, record: Record<string, string>) => Object.entries(record).map(([k, v]) => ({ kind, key: k, value: v }));
      const rows = [...pairs('default', catalog.defaults), ...pairs('override', catalog.overrides)];
      lines.push(rows.length ? table(rows, ['kind', 'key', 'value']).replace(/^/gm, '  ') : '  (no defaults or overrides)');
      lines.push('', catalog.endpoints ? `endpoints (${catalog.endpoints.length})` : 'endpoints: not advertised (the spec defaults apply)');
      for (const e of catalog.endpoints ?? []) lines.push(`  ${e}`);
    }
    return lines.join('\n');
  });
  return 0;
}
