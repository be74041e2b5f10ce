/**
 * `lakegate admin`: Lakegate's management API (/management/v1, not part of the Iceberg spec) through the SDK's
 * management client: service principals, warehouses, roles and their members, grants, explain and the audit
 * trail. Needs a profile that administers the tenant (grants on a securable: or holds grants:manage on it).
 */
import { findSubCommand, help, isHelpWord, type SubCommand } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { ACCESS_COMMANDS, ROLE_COMMANDS } from './admin-access.js';
import { audit } from './admin-audit.js';
import { ADMIN_HELP } from './admin-help.js';
import { ACCESS_KEY_COMMANDS, API_KEY_COMMANDS } from './admin-keys.js';
import { PRINCIPAL_COMMANDS, WAREHOUSE_COMMANDS } from './admin-principals.js';

/** Sub-commands by group: `lakegate admin GROUP SUB`. */
const GROUPS: Readonly<Record<string, Readonly<Record<string, SubCommand>>>> = {
  principal: PRINCIPAL_COMMANDS,
  'api-key': API_KEY_COMMANDS,
  'access-key': ACCESS_KEY_COMMANDS,
  warehouse: WAREHOUSE_COMMANDS,
  role: ROLE_COMMANDS,
};

/** Commands without a sub-command: `lakegate admin grant …`. */
const COMMANDS: Readonly<Record<string, SubCommand>> = { ...ACCESS_COMMANDS, audit };

export async function admin(argv: string[]): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (isHelpWord(group)) return help(ADMIN_HELP);
  if (Object.hasOwn(COMMANDS, group)) return COMMANDS[group]!(argv.slice(1));
  const run = Object.hasOwn(GROUPS, group) ? findSubCommand(GROUPS[group]!, sub, { delete: 'rm' }) : undefined;
  if (run) return run(rest);
  // After a group only the flags ask for help: `admin principal help` is an unknown command, as it always was.
  if (Object.hasOwn(GROUPS, group) && (sub === '--help' || sub === '-h' || sub === undefined)) return help(ADMIN_HELP);
  throw new UsageError(`unknown admin command ${JSON.stringify(`${group} ${sub ?? ''}`.trim())}; see "lakegate admin --help"`);
}
