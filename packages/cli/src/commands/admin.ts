/**
 * `lakegate admin`: a small wrapper over Lakegate's management API (/management/v1), which is not part of the
 * Iceberg spec: service principals and warehouses. Needs a profile with the admin role.
 */
import { writeFileSync, chmodSync } from 'node:fs';
import { CONNECTION_HELP, jsonArg, keyValues, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext, type CommandContext } from '../cli/context.js';
import { findSubCommand, help, isHelpWord, type SubCommand } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { keyValue, table } from '../cli/output.js';
import { openTransport } from '../cli/settings.js';

const HELP = `usage:
  lakegate admin principal ls
  lakegate admin principal create NAME [--admin] [--tenant T] [--delegate-user U ...] [--delegate-group G ...]
                                       [--credential-file FILE]
  lakegate admin principal rotate CLIENT_ID [--credential-file FILE]
  lakegate admin warehouse ls
  lakegate admin warehouse create NAME --storage-root URI --storage-profile JSON|@FILE
                                       [--storage-secret JSON|@FILE|-] [--tenant T] [--property K=V ...]

A new or rotated client secret is shown once by the server. With --credential-file it is written to FILE
(mode 0600, {"credential": "id:secret"}) instead of stdout. Give --storage-secret as @FILE or "-" (stdin) so
it stays out of the process list and shell history; it is stored encrypted and never shown again.

${CONNECTION_HELP}`;

/** Sub-commands by group: `lakegate admin GROUP SUB`. */
const GROUPS: Readonly<Record<string, Readonly<Record<string, SubCommand>>>> = {
  principal: { ls: principalList, create: principalCreate, rotate: principalRotate },
  warehouse: { ls: warehouseList, create: warehouseCreate },
};

export async function admin(argv: string[]): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (isHelpWord(group)) return help(HELP);
  const run = Object.hasOwn(GROUPS, group) ? findSubCommand(GROUPS[group]!, sub) : undefined;
  if (run) return run(rest);
  // After a group only the flags ask for help: `admin principal help` is an unknown command, as it always was.
  if (sub === '--help' || sub === '-h' || sub === undefined) return help(HELP);
  throw new UsageError(`unknown admin command ${JSON.stringify(`${group} ${sub}`.trim())}; see "lakegate admin --help"`);
}

type Principal = { 'client-id': string; name: string; tenant: string; roles: string[]; disabled: boolean; delegation?: { users: string[]; groups: string[] }; 'created-at-ms'?: number };
type Warehouse = { name: string; tenant: string; 'storage-root': string; 'storage-profile': { type: string }; 'has-storage-secret': boolean; properties: Record<string, string> };

async function call<T>(ctx: CommandContext, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const transport = openTransport(ctx.settings);
  const response = await ctx.out.progress(`${method} /management/v1/${path}`, () => transport.send<T>({ method, path: `management/v1/${path}`, ...(body === undefined ? {} : { body }), errorModel: 'iceberg' }));
  return response.body;
}

/** `GET /management/v1/{kind}`, shown as `{ kind: [...] }` or a table with one row per item. */
async function listManaged<T>(argv: string[], kind: 'principals' | 'warehouses', columns: string[], row: (item: T) => Record<string, string>): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(HELP);
  positionalArgs(positionals, []);
  const ctx = commandContext(values);
  const items = (await call<Record<typeof kind, T[]>>(ctx, 'GET', kind))[kind];
  ctx.out.result({ [kind]: items }, () => (items.length ? table(items.map(row), columns) : `no ${kind}`));
  return 0;
}

function principalList(argv: string[]): Promise<number> {
  return listManaged<Principal>(argv, 'principals', ['client-id', 'name', 'tenant', 'roles', 'disabled'], (p) => ({
    'client-id': p['client-id'],
    name: p.name,
    tenant: p.tenant,
    roles: p.roles.join(',') || '-',
    disabled: p.disabled ? 'yes' : 'no',
  }));
}

async function principalCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    admin: { type: 'boolean' },
    tenant: { type: 'string' },
    'delegate-user': { type: 'string', multiple: true },
    'delegate-group': { type: 'string', multiple: true },
    'credential-file': { type: 'string' },
  });
  if (values.help) return help(HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const ctx = commandContext(values);
  const delegation = values['delegate-user'] || values['delegate-group'] ? { users: values['delegate-user'] ?? [], groups: values['delegate-group'] ?? [] } : undefined;
  const created = await call<{ 'client-id': string; 'client-secret': string; tenant: string }>(ctx, 'POST', 'principals', {
    name,
    roles: values.admin ? ['admin'] : [],
    ...(values.tenant ? { tenant: values.tenant } : {}),
    ...(delegation ? { delegation } : {}),
  });
  return showSecret(ctx, { 'client-id': created['client-id'], tenant: created.tenant }, created['client-id'], created['client-secret'], values['credential-file'], `Created principal ${name}`);
}

async function principalRotate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { 'credential-file': { type: 'string' } });
  if (values.help) return help(HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const ctx = commandContext(values);
  const rotated = await call<{ 'client-id': string; 'client-secret': string }>(ctx, 'POST', `principals/${encodeURIComponent(clientId!)}/rotate-secret`);
  return showSecret(ctx, { 'client-id': rotated['client-id'] }, rotated['client-id'], rotated['client-secret'], values['credential-file'], `Rotated the secret of ${clientId}`);
}

/** A client secret the server shows once: to a 0600 file when asked, else on stdout (it cannot be retrieved later). */
function showSecret(ctx: CommandContext, fields: Record<string, string>, clientId: string, secret: string, file: string | undefined, headline: string): number {
  const credential = `${clientId}:${secret}`;
  if (file) {
    writeFileSync(file, `${JSON.stringify({ credential }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    ctx.out.result({ ...fields, 'credential-file': file }, () => `${headline}\n${keyValue([...Object.entries(fields), ['credential', `written to ${file} (mode 0600)`]], '  ')}`);
  } else {
    ctx.out.result({ ...fields, credential }, () => `${headline}\n${keyValue([...Object.entries(fields), ['credential', credential]], '  ')}`);
    ctx.out.note('The secret is shown this once; store it now (or use --credential-file next time).');
  }
  return 0;
}

function warehouseList(argv: string[]): Promise<number> {
  return listManaged<Warehouse>(argv, 'warehouses', ['name', 'tenant', 'storage', 'root', 'secret'], (w) => ({
    name: w.name,
    tenant: w.tenant,
    storage: w['storage-profile'].type,
    root: w['storage-root'],
    secret: w['has-storage-secret'] ? 'yes' : 'no',
  }));
}

async function warehouseCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'storage-root': { type: 'string' },
    'storage-profile': { type: 'string' },
    'storage-secret': { type: 'string' },
    tenant: { type: 'string' },
    property: { type: 'string', multiple: true },
  });
  if (values.help) return help(HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  if (!values['storage-root']) throw new UsageError('warehouse create needs --storage-root URI');
  if (!values['storage-profile']) throw new UsageError('warehouse create needs --storage-profile JSON|@FILE, e.g. {"type": "file"}');
  const profile = jsonArg(values['storage-profile'], '--storage-profile');
  const secret = values['storage-secret'] === undefined ? undefined : jsonArg(values['storage-secret'], '--storage-secret');
  const ctx = commandContext(values);
  const created = await call<Warehouse>(ctx, 'POST', 'warehouses', {
    name,
    'storage-root': values['storage-root'],
    'storage-profile': profile,
    ...(secret === undefined ? {} : { 'storage-secret': secret }),
    ...(values.tenant ? { tenant: values.tenant } : {}),
    properties: keyValues(values.property, '--property'),
  });
  ctx.out.result(created, () =>
    `Created warehouse ${created.name}\n${keyValue([
      ['tenant', created.tenant],
      ['storage', created['storage-profile'].type],
      ['root', created['storage-root']],
      ['secret', created['has-storage-secret'] ? 'stored (encrypted)' : 'none'],
    ], '  ')}`,
  );
  return 0;
}
