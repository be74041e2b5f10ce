/** `lakegate admin warehouse grant TENANT …`: the storage the platform grants a tenant's administrators (docs/security.md). */
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';

/** Without --root or --none it shows the grant; with them it replaces it (platform administrators only). */
export async function warehouseGrant(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { root: { type: 'string', multiple: true }, none: { type: 'boolean' } });
  if (values.help) return help(ADMIN_HELP);
  const [tenant] = positionalArgs(positionals, ['TENANT']);
  const roots = (values.root as string[] | undefined) ?? [];
  if (values.none && roots.length > 0) throw new UsageError('warehouse grant takes --root URI ... or --none, not both');
  const { out, settings } = commandContext(values);
  const management = openManagement(settings);
  const grant =
    values.none || roots.length > 0
      ? await out.progress('granting storage', () => management.setTenantStorageGrant(tenant!, { roots }))
      : await out.progress('reading the storage grant', () => management.getTenantStorageGrant(tenant!));
  out.result(grant, () =>
    grant.roots.length
      ? `Tenant ${tenant} may create warehouses in:\n${grant.roots.map((r) => `  ${r}`).join('\n')}`
      : `Tenant ${tenant} has no storage granted`,
  );
  return 0;
}
