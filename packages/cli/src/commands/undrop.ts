/**
 * `lakegate undrop`: dropped (soft-deleted) tables, views, Lance tables and namespaces (those a cascading drop took) of
 * a warehouse, kept for its `drop.retention-ms` (7 days by default): list them, and restore one under its name or a
 * new one. A namespace's undrop restores what was dropped with it.
 */
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help, isHelpWord } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { formatLevels, parseLevels } from '../cli/identifiers.js';
import { table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';

export const UNDROP_HELP = `usage: lakegate undrop ls [-w WAREHOUSE]
       lakegate undrop ID [--as [NAMESPACE.]NAME] [-w WAREHOUSE]

Dropped tables, views and Lance tables stay recoverable for the warehouse's drop.retention-ms (7 days by default),
and so do the namespaces a cascading drop took (kind namespace), with their properties and grants.
  ls              list them (needs warehouse:list-dropped): id, kind, name, when dropped, when they expire
  ID              restore the dropped object with that id under its own name (needs warehouse:undrop); a
                  namespace comes back with everything its drop took (child namespaces, tables, views)
  --as NS.NAME    restore it under another namespace and name (its own was taken since: 409 otherwise);
                  a single NAME keeps its namespace (for a namespace: its parent) and renames it`;

export async function undrop(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { as: { type: 'string' } });
  if (values.help || isHelpWord(positionals[0])) return help(UNDROP_HELP);
  const { out, settings } = commandContext(values);
  const warehouse = settings.warehouse;
  if (!warehouse) throw new UsageError('undrop needs a warehouse: --warehouse NAME, $LAKEGATE_WAREHOUSE or a profile with one');
  const management = openManagement(settings);
  if (positionals[0] === 'ls' || positionals[0] === 'list') {
    positionalArgs(positionals, ['ls']);
    const dropped = await out.progress('listing dropped objects', () => management.listDroppedObjects(warehouse));
    const rows = dropped.map((d) => ({
      id: d.id,
      kind: d.kind,
      name: formatLevels([...d.namespace, d.name]),
      dropped: new Date(d['dropped-at-ms']).toISOString(),
      expires: new Date(d['expires-at-ms']).toISOString(),
      purge: d.purge ? 'yes' : 'no',
    }));
    out.result({ dropped }, () => (rows.length ? table(rows, ['id', 'kind', 'name', 'dropped', 'expires', 'purge']) : 'no dropped objects'));
    return 0;
  }
  const [id] = positionalArgs(positionals, ['ID']);
  const levels = values.as === undefined ? undefined : parseLevels(values.as as string, 'new name');
  const to = levels === undefined ? {} : levels.length === 1 ? { name: levels[0]! } : { namespace: levels.slice(0, -1), name: levels.at(-1)! };
  const restored = await out.progress('restoring', () => management.undrop(warehouse, id!, to));
  out.result(restored, () => `Restored ${restored.kind} ${formatLevels([...restored.namespace, restored.name])} (id ${restored.id})`);
  return 0;
}
