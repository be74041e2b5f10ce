/** `lakegate admin warehouse set NAME …`: change a warehouse's settings (its properties), checked by the server as at creation. */
import { keyValues, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { keyValue } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';

/** --property K=V sets, --remove K removes (back to the server's default); at least one of them. */
export async function warehouseSet(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { property: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true } });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const updates = keyValues(values.property as string[] | undefined, '--property');
  const removals = (values.remove as string[] | undefined) ?? [];
  if (Object.keys(updates).length === 0 && removals.length === 0) throw new UsageError('warehouse set needs --property K=V or --remove K');
  const { out, settings } = commandContext(values);
  const changed = await out.progress('changing the warehouse', () => openManagement(settings).updateWarehouseProperties(name!, { updates, removals }));
  out.result(changed, () => `Warehouse ${changed.name}\n${keyValue(Object.entries(changed.properties).sort(([a], [b]) => a.localeCompare(b)), '  ') || '  (no properties)'}`);
  return 0;
}
