/** `lakegate admin role|grant|revoke|grants|explain`: roles, who holds them, grants and explain, through the SDK. */
import type { Grant, Role } from '@lakegate/client';
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help, type SubCommand } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { keyValue, table } from '../cli/output.js';
import { describeMember, formatSecurable, grantArguments, MEMBER_OPTIONS, memberOf, parsePrivileges, parseSecurable, subjectOf } from '../cli/securables.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';

const TENANT_OPTION = { tenant: { type: 'string' } } as const;

/** `lakegate admin role SUB` (`show` reaches `describe` as everywhere in the CLI). */
export const ROLE_COMMANDS: Readonly<Record<string, SubCommand>> = {
  ls: roleList,
  create: roleCreate,
  describe: roleShow,
  rm: roleRemove,
  'add-member': (argv) => roleMember(argv, 'add'),
  'rm-member': (argv) => roleMember(argv, 'remove'),
};

/** Commands of `lakegate admin` that take no sub-command. */
export const ACCESS_COMMANDS: Readonly<Record<string, SubCommand>> = {
  grant: (argv) => grantOrRevoke(argv, 'grant'),
  revoke: (argv) => grantOrRevoke(argv, 'revoke'),
  grants: grantList,
  explain,
};

/** `{tenant}` for the SDK's options when the flag is given. */
const tenantOf = (values: { tenant?: string | undefined }) => (values.tenant === undefined ? {} : { tenant: values.tenant });

async function roleList(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, TENANT_OPTION);
  if (values.help) return help(ADMIN_HELP);
  positionalArgs(positionals, []);
  const { out, settings } = commandContext(values);
  const roles = await out.progress('listing roles', () => openManagement(settings).listRoles(tenantOf(values)));
  out.result({ roles }, () => table(roles.map(roleRow), ['name', 'tenant', 'created', 'description']));
  return 0;
}

function roleRow(role: Role): Record<string, string> {
  return {
    name: role.name,
    tenant: role.tenant,
    created: role['created-at-ms'] ? new Date(role['created-at-ms']).toISOString() : 'built in',
    description: role.description || '-',
  };
}

async function roleCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...TENANT_OPTION, description: { type: 'string' } });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const { out, settings } = commandContext(values);
  const role = await out.progress('creating role', () =>
    openManagement(settings).createRole({ name: name!, ...(values.description === undefined ? {} : { description: values.description }), ...tenantOf(values) }),
  );
  out.result(role, () => `Created role ${role.name} in tenant ${role.tenant}`);
  return 0;
}

async function roleShow(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, TENANT_OPTION);
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const { out, settings } = commandContext(values);
  const details = await out.progress('loading role', () => openManagement(settings).getRole(name!, tenantOf(values)));
  out.result(details, () =>
    [
      keyValue([
        ['role', details.role.name],
        ['tenant', details.role.tenant],
        ['description', details.role.description || '-'],
      ]),
      '',
      `members (${details.members.length})`,
      ...(details.members.length ? details.members.map((m) => `  ${describeMember(m)}`) : ['  none']),
      '',
      `grants (${details.grants.length})`,
      details.grants.length ? grantTable(details.grants, false).replace(/^/gm, '  ') : '  none',
    ].join('\n'),
  );
  return 0;
}

async function roleRemove(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, TENANT_OPTION);
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const { out, settings } = commandContext(values);
  await out.progress('deleting role', () => openManagement(settings).deleteRole(name!, tenantOf(values)));
  out.result({ deleted: name }, () => `Deleted role ${name}`);
  return 0;
}

async function roleMember(argv: string[], change: 'add' | 'remove'): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...TENANT_OPTION, ...MEMBER_OPTIONS });
  if (values.help) return help(ADMIN_HELP);
  const [role] = positionalArgs(positionals, ['ROLE']);
  const member = memberOf(values);
  const { out, settings } = commandContext(values);
  const management = openManagement(settings);
  if (change === 'remove') {
    await out.progress('removing member', () => management.removeRoleMember(role!, member, tenantOf(values)));
    out.result({ role, member, removed: true }, () => `Removed ${describeMember(member)} from role ${role}`);
    return 0;
  }
  const { created } = await out.progress('adding member', () => management.addRoleMember(role!, member, tenantOf(values)));
  out.result({ role, member, created }, () =>
    created ? `Added ${describeMember(member)} to role ${role}` : `${describeMember(member)} already holds role ${role}`,
  );
  return 0;
}

async function grantOrRevoke(argv: string[], change: 'grant' | 'revoke'): Promise<number> {
  const { values, positionals } = parseCommand(argv, TENANT_OPTION);
  if (values.help) return help(ADMIN_HELP);
  const request = { ...grantArguments(positionals, change === 'grant' ? 'TO' : 'FROM'), ...tenantOf(values) };
  const { out, settings } = commandContext(values);
  const management = openManagement(settings);
  const what = `${request.privileges.join(', ')} on ${formatSecurable(request.securable)}`;
  if (change === 'grant') {
    const grants = await out.progress('granting', () => management.grant(request));
    out.result({ grants }, () => `Granted ${what} to role ${request.role}`);
  } else {
    const { revoked } = await out.progress('revoking', () => management.revoke(request));
    out.result(
      { revoked, role: request.role, privileges: request.privileges, securable: request.securable },
      () => `Revoked ${what} from role ${request.role} (${revoked} grant${revoked === 1 ? '' : 's'})`,
    );
  }
  return 0;
}

async function grantList(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...TENANT_OPTION, role: { type: 'string' } });
  if (values.help) return help(ADMIN_HELP);
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[2])}; expected [ON SECURABLE]`);
  if (positionals.length === 2 && positionals[0]!.toUpperCase() !== 'ON') throw new UsageError(`expected ON SECURABLE, got ${JSON.stringify(positionals[0])}`);
  const text = positionals.at(-1);
  const securable = text === undefined ? undefined : parseSecurable(text);
  const { out, settings } = commandContext(values);
  const grants = await out.progress('listing grants', () =>
    openManagement(settings).listGrants({
      ...tenantOf(values),
      ...(values.role === undefined ? {} : { role: values.role }),
      ...(securable ? { securable } : {}),
    }),
  );
  out.result({ grants }, () => (grants.length ? grantTable(grants, true) : 'no grants'));
  return 0;
}

function grantTable(grants: Grant[], withRole: boolean): string {
  const rows = grants.map((g) => ({ role: g.role, privilege: g.privilege, securable: formatSecurable(g.securable) }));
  return table(rows, withRole ? ['role', 'privilege', 'securable'] : ['privilege', 'securable']);
}

async function explain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...TENANT_OPTION, ...MEMBER_OPTIONS });
  if (values.help) return help(ADMIN_HELP);
  if (positionals.length !== 3 || positionals[1]!.toUpperCase() !== 'ON')
    throw new UsageError('expected SUBJECT PRIVILEGE ON SECURABLE, e.g. --principal ID table:read-data ON table:lake.sales.orders');
  const [privilege, ...more] = parsePrivileges(positionals[0]!);
  if (more.length) throw new UsageError('explain takes one privilege');
  const request = { subject: subjectOf(values), privilege: privilege!, securable: parseSecurable(positionals[2]!), ...tenantOf(values) };
  const { out, settings } = commandContext(values);
  const explanation = await out.progress('explaining', () => openManagement(settings).explain(request));
  out.result(explanation, () =>
    [
      explanation.summary,
      // The summary names the first grant; list every one when several give the privilege.
      ...(explanation.via.length > 1
        ? explanation.via.map((v) => `  role ${v.role} (held by ${describeMember(v.member)}): ${v.privilege} on ${formatSecurable(v.securable)}`)
        : []),
    ].join('\n'),
  );
  return 0;
}
