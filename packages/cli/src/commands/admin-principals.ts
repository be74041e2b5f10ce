/** `lakegate admin principal …` and `lakegate admin warehouse …`, through the SDK's management client. */
import { chmodSync, writeFileSync } from 'node:fs';
import type { CreateWarehouseRequest, DelegatedName, Principal, Warehouse } from '@lakegate/client';
import { jsonArg, keyValues, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext, type CommandContext } from '../cli/context.js';
import { help, type SubCommand } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { keyValue, table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';
import { warehouseGrant } from './admin-storage-grants.js';
import {
  warehouseFederation,
  warehouseFederationFailures,
  warehouseFederationStatus,
  warehouseSet,
  warehouseStorage,
  withLogin,
  withTlsCa,
  withTlsClient,
  FEDERATION_OPTIONS,
} from './admin-warehouse-settings.js';

/** `lakegate admin principal SUB`. */
export const PRINCIPAL_COMMANDS: Readonly<Record<string, SubCommand>> = {
  ls: principalList,
  create: principalCreate,
  rotate: principalRotate,
  delegation: principalDelegation,
  disable: principalDisable,
  enable: principalEnable,
  'revoke-tokens': principalRevokeTokens,
};
/** `lakegate admin warehouse SUB`. */
export const WAREHOUSE_COMMANDS: Readonly<Record<string, SubCommand>> = {
  ls: warehouseList,
  create: warehouseCreate,
  set: warehouseSet,
  storage: warehouseStorage,
  federation: warehouseFederation,
  'federation-status': warehouseFederationStatus,
  'federation-failures': warehouseFederationFailures,
  grant: warehouseGrant,
};

async function principalList(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  positionalArgs(positionals, []);
  const { out, settings } = commandContext(values);
  const principals = await out.progress('listing principals', () => openManagement(settings).listPrincipals());
  out.result({ principals }, () =>
    principals.length ? table(principals.map(principalRow), ['client-id', 'name', 'tenant', 'roles', 'disabled']) : 'no principals',
  );
  return 0;
}

export function principalRow(p: Principal): Record<string, string> {
  return { 'client-id': p['client-id'], name: p.name, tenant: p.tenant, roles: p.roles.join(',') || '-', disabled: p.disabled ? 'yes' : 'no' };
}

async function principalCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    admin: { type: 'boolean' },
    tenant: { type: 'string' },
    'delegate-user': { type: 'string', multiple: true },
    'delegate-group': { type: 'string', multiple: true },
    'delegate-issuer': { type: 'string' },
    'credential-file': { type: 'string' },
  });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const ctx = commandContext(values);
  const delegation = values['delegate-user'] || values['delegate-group'] ? delegationOf(values) : undefined;
  const created = await ctx.out.progress('creating principal', () =>
    openManagement(ctx.settings).createPrincipal({
      name: name!,
      roles: values.admin ? ['admin'] : [],
      ...(values.tenant ? { tenant: values.tenant } : {}),
      ...(delegation ? { delegation } : {}),
    }),
  );
  return showSecret(
    ctx,
    { 'client-id': created['client-id'], tenant: created.tenant },
    created['client-id'],
    created['client-secret'],
    values['credential-file'],
    `Created principal ${name}`,
  );
}

async function principalRotate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { 'credential-file': { type: 'string' } });
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const ctx = commandContext(values);
  const rotated = await ctx.out.progress('rotating secret', () => openManagement(ctx.settings).rotatePrincipalSecret(clientId!));
  return showSecret(
    ctx,
    { 'client-id': rotated['client-id'] },
    rotated['client-id'],
    rotated['client-secret'],
    values['credential-file'],
    `Rotated the secret of ${clientId}`,
  );
}

async function principalDelegation(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'delegate-user': { type: 'string', multiple: true },
    'delegate-group': { type: 'string', multiple: true },
    'delegate-issuer': { type: 'string' },
    'assert-identity': { type: 'boolean' },
  });
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const { out, settings } = commandContext(values);
  const policy = { ...delegationOf(values), 'assert-identity': values['assert-identity'] === true };
  const set = await out.progress('setting delegation', () => openManagement(settings).setDelegation(clientId!, policy));
  const list = (names: DelegatedName[]) => (names.length ? names.map((n) => (typeof n === 'string' ? n : `${n.name} (${n.issuer})`)).join(', ') : 'none');
  out.result(
    set,
    () =>
      `Delegation of ${clientId}\n${keyValue(
        [
          ['users', list(set.delegation.users)],
          ['groups', list(set.delegation.groups)],
          ['assert-identity', set.delegation['assert-identity'] ? 'yes (unsigned subject tokens naming a listed user)' : 'no'],
        ],
        '  ',
      )}`,
  );
  return 0;
}

/**
 * The users and groups of --delegate-user/--delegate-group, named with --delegate-issuer (a trusted issuer's URL,
 * or "asserted"). Without an issuer a user stays a bare name (an asserted name or a client id); a group needs one.
 */
function delegationOf(values: { 'delegate-user'?: string[]; 'delegate-group'?: string[]; 'delegate-issuer'?: string }): {
  users: DelegatedName[];
  groups: DelegatedName[];
} {
  const issuer = values['delegate-issuer'];
  const groups = values['delegate-group'] ?? [];
  if (groups.length > 0 && !issuer) throw new UsageError('--delegate-group needs --delegate-issuer URL (the trusted issuer whose tokens carry the group)');
  const named = (name: string): DelegatedName => (issuer ? { issuer, name } : name);
  return { users: (values['delegate-user'] ?? []).map(named), groups: groups.map(named) };
}

async function principalDisable(argv: string[]): Promise<number> {
  return principalState(argv, 'disabling principal', (m, id) => m.disablePrincipal(id), 'Disabled');
}

async function principalEnable(argv: string[]): Promise<number> {
  return principalState(argv, 'enabling principal', (m, id) => m.enablePrincipal(id), 'Enabled');
}

async function principalState(
  argv: string[],
  what: string,
  change: (m: ReturnType<typeof openManagement>, id: string) => Promise<Principal>,
  verb: string,
): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const { out, settings } = commandContext(values);
  const principal = await out.progress(what, () => change(openManagement(settings), clientId!));
  const row = principalRow(principal);
  out.result(row, () => `${verb} ${clientId}\n${keyValue(Object.entries(row), '  ')}`);
  return 0;
}

async function principalRevokeTokens(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const { out, settings } = commandContext(values);
  await out.progress('revoking tokens', () => openManagement(settings).revokePrincipalTokens(clientId!));
  out.result({ 'client-id': clientId, 'tokens-revoked': true }, () => `Revoked every token of ${clientId} issued so far (its credentials keep working)`);
  return 0;
}

/** A client secret the server shows once: to a 0600 file when asked, else on stdout (it cannot be retrieved later). */
function showSecret(ctx: CommandContext, fields: Record<string, string>, clientId: string, secret: string, file: string | undefined, headline: string): number {
  const credential = `${clientId}:${secret}`;
  if (file) {
    writeFileSync(file, `${JSON.stringify({ credential }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    ctx.out.result(
      { ...fields, 'credential-file': file },
      () => `${headline}\n${keyValue([...Object.entries(fields), ['credential', `written to ${file} (mode 0600)`]], '  ')}`,
    );
  } else {
    ctx.out.result({ ...fields, credential }, () => `${headline}\n${keyValue([...Object.entries(fields), ['credential', credential]], '  ')}`);
    ctx.out.note('The secret is shown this once; store it now (or use --credential-file next time).');
  }
  return 0;
}

async function warehouseList(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  positionalArgs(positionals, []);
  const { out, settings } = commandContext(values);
  const warehouses = await out.progress('listing warehouses', () => openManagement(settings).listWarehouses());
  out.result({ warehouses }, () =>
    warehouses.length ? table(warehouses.map(warehouseRow), ['name', 'tenant', 'storage', 'root', 'secret', 'federated']) : 'no warehouses',
  );
  return 0;
}

function warehouseRow(w: Warehouse): Record<string, string> {
  return {
    name: w.name,
    tenant: w.tenant,
    storage: w['storage-profile'].type,
    root: w['storage-root'],
    secret: w['has-storage-secret'] ? 'yes' : 'no',
    federated: w.federation ? `${w.federation.kind} ${w.federation.uri ?? ''}`.trim() : '',
  };
}

async function warehouseCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'storage-root': { type: 'string' },
    'storage-profile': { type: 'string' },
    'storage-secret': { type: 'string' },
    tenant: { type: 'string' },
    property: { type: 'string', multiple: true },
    ...FEDERATION_OPTIONS,
  });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  // A federated warehouse (docs/federation.md): its remote catalog, and the credential towards it (sealed by the server).
  for (const flag of ['federation-tls-ca', 'federation-tls-client-cert', 'federation-tls-client-key', 'federation-username', 'federation-password'] as const)
    if (values[flag] !== undefined && values.federation === undefined) throw new UsageError(`--${flag} goes with --federation`);
  const tlsClient = withTlsClient(
    values.federation === undefined
      ? undefined
      : withTlsCa(jsonArg(values.federation, '--federation') as NonNullable<CreateWarehouseRequest['federation']>, values['federation-tls-ca']),
    values['federation-secret'] === undefined
      ? undefined
      : (jsonArg(values['federation-secret'], '--federation-secret') as NonNullable<CreateWarehouseRequest['federation-secret']>),
    values['federation-tls-client-cert'],
    values['federation-tls-client-key'],
  );
  const { federation, secret: federationSecret } = withLogin(
    tlsClient.federation,
    tlsClient.secret,
    values['federation-username'],
    values['federation-password'],
  );
  if (!values['storage-root']) throw new UsageError('warehouse create needs --storage-root URI');
  if (!values['storage-profile']) throw new UsageError('warehouse create needs --storage-profile JSON|@FILE, e.g. {"type": "file"}');
  const profile = jsonArg(values['storage-profile'], '--storage-profile') as Warehouse['storage-profile'];
  const secret = values['storage-secret'] === undefined ? undefined : (jsonArg(values['storage-secret'], '--storage-secret') as Record<string, unknown>);
  const { out, settings } = commandContext(values);
  const created = await out.progress('creating warehouse', () =>
    openManagement(settings).createWarehouse({
      name: name!,
      'storage-root': values['storage-root']!,
      'storage-profile': profile,
      ...(secret === undefined ? {} : { 'storage-secret': secret }),
      ...(values.tenant ? { tenant: values.tenant } : {}),
      properties: keyValues(values.property, '--property'),
      ...(federation === undefined ? {} : { federation }),
      ...(federationSecret === undefined ? {} : { 'federation-secret': federationSecret }),
    }),
  );
  out.result(
    created,
    () =>
      `Created warehouse ${created.name}\n${keyValue(
        [
          ['tenant', created.tenant],
          ['storage', created['storage-profile'].type],
          ['root', created['storage-root']],
          ['secret', created['has-storage-secret'] ? 'stored (encrypted)' : 'none'],
          ...(created.federation ? [['federated to', `${created.federation.kind} ${created.federation.uri}`] as [string, string]] : []),
        ],
        '  ',
      )}`,
  );
  return 0;
}
