/**
 * `lakegate admin warehouse set NAME …`: change a warehouse's settings (its properties), and `lakegate admin warehouse
 * storage NAME …`: replace its storage profile; both checked by the server as at creation.
 */
import { jsonArg, keyValues, parseCommand, positionalArgs } from '../cli/args.js';
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
  out.result(
    changed,
    () =>
      `Warehouse ${changed.name}\n${
        keyValue(
          Object.entries(changed.properties).sort(([a], [b]) => a.localeCompare(b)),
          '  ',
        ) || '  (no properties)'
      }`,
  );
  return 0;
}

/**
 * --storage-profile JSON|@FILE replaces the profile whole (same type, same bucket or container); --storage-secret
 * JSON|@FILE|- replaces the secret (from a file or standard input, so it stays out of the shell's history), absent keeps it;
 * --remove-storage-secret deletes it (the server's own cloud credentials then: platform administrators only).
 */
export async function warehouseStorage(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'storage-profile': { type: 'string' },
    'storage-secret': { type: 'string' },
    'remove-storage-secret': { type: 'boolean' },
  });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  if (!values['storage-profile'])
    throw new UsageError('warehouse storage needs --storage-profile JSON|@FILE, e.g. {"type": "s3", "bucket": "lake", "endpoint": "http://minio:9000"}');
  const profile = jsonArg(values['storage-profile'] as string, '--storage-profile') as Record<string, unknown>;
  const secret =
    values['storage-secret'] === undefined ? undefined : (jsonArg(values['storage-secret'] as string, '--storage-secret') as Record<string, unknown>);
  if (secret !== undefined && values['remove-storage-secret']) throw new UsageError('give --storage-secret or --remove-storage-secret, not both');
  const { out, settings } = commandContext(values);
  const removal = values['remove-storage-secret'] ? { 'remove-storage-secret': true } : {};
  const changed = await out.progress('changing the storage profile', () =>
    openManagement(settings).updateWarehouseStorageProfile(name!, {
      'storage-profile': profile,
      ...(secret === undefined ? {} : { 'storage-secret': secret }),
      ...removal,
    }),
  );
  const profileLines = Object.entries(changed['storage-profile']).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  out.result(
    changed,
    () => `Warehouse ${changed.name}\n${keyValue([...profileLines, ['secret', changed['has-storage-secret'] ? 'stored (encrypted)' : 'none']], '  ')}`,
  );
  return 0;
}
