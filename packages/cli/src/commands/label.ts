/**
 * `lakegate label`: catalog-supplied labels of a table or view through the management API (apache/iceberg#15750,
 * issue 58): show them, set them (replacing what was there; tenant administrators), remove them. Iceberg 1.12
 * clients read them on every load of the object.
 */
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help, isHelpWord } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { parseObjectIdentifier } from '../cli/identifiers.js';
import { table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';

export const LABEL_HELP = `usage: lakegate label show TABLE [--view]
       lakegate label set TABLE [--view] KEY=VALUE... [--field FIELD_ID:KEY=VALUE]...
       lakegate label rm TABLE [--view]

Labels are the catalog's key-values about a table or view (owner, classification, cost centre) and its columns (by
field id), answered on every load of it (the Iceberg REST "labels" object), never written to its metadata. TABLE is
NAMESPACE.NAME; --view names a view instead. "set" replaces the object's labels with those given (no label given:
removes them). Setting and removing need the admin role of the tenant.
  --field ID:K=V   a label of the column with field id ID (repeatable)`;

const OPTIONS = { view: { type: 'boolean' }, field: { type: 'string', multiple: true } } as const;

export async function labelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, OPTIONS);
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined || isHelpWord(sub)) return help(LABEL_HELP);
  const { out, settings } = commandContext(values);
  const warehouse = settings.warehouse;
  if (!warehouse) throw new UsageError('label needs a warehouse: --warehouse NAME, $LAKEGATE_WAREHOUSE or a profile with one');
  const labels = openManagement(settings).labels;
  const kind = values.view ? 'view' : 'table';
  switch (sub) {
    case 'show':
    case 'ls': {
      const [name] = positionalArgs(rest, ['TABLE']);
      const got = await labels.get(warehouse, kind, parseObjectIdentifier(name!, undefined));
      out.result(got, () => render(got));
      return 0;
    }
    case 'set': {
      const [name, ...pairs] = rest;
      if (name === undefined) throw new UsageError('label set needs TABLE');
      const objectLabels = Object.fromEntries(pairs.map((p) => pair(p, 'KEY=VALUE')));
      const fields = new Map<number, Record<string, string>>();
      for (const f of values.field ?? []) {
        const colon = f.indexOf(':');
        const id = f.slice(0, colon);
        if (colon < 1 || !/^\d+$/.test(id)) throw new UsageError(`--field expects FIELD_ID:KEY=VALUE, got ${JSON.stringify(f)}`);
        const [k, v] = pair(f.slice(colon + 1), 'FIELD_ID:KEY=VALUE');
        fields.set(Number(id), { ...fields.get(Number(id)), [k]: v });
      }
      const body = {
        ...(Object.keys(objectLabels).length > 0 ? { 'object-labels': objectLabels } : {}),
        ...(fields.size > 0 ? { fields: [...fields].map(([id, l]) => ({ 'field-id': id, labels: l })) } : {}),
      };
      const set = await out.progress('setting the labels', () => labels.set(warehouse, kind, parseObjectIdentifier(name, undefined), body));
      out.result(set, () => `Set the labels of ${kind} ${name}\n${render(set)}`);
      return 0;
    }
    case 'rm':
    case 'delete': {
      const [name] = positionalArgs(rest, ['TABLE']);
      await out.progress('removing the labels', () => labels.remove(warehouse, kind, parseObjectIdentifier(name!, undefined)));
      out.result({ removed: name }, () => `Removed the labels of ${kind} ${name}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown label command ${JSON.stringify(sub)}; run "lakegate label --help"`);
  }
}

function pair(text: string, form: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq < 1) throw new UsageError(`expected ${form}, got ${JSON.stringify(text)}`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function render(labels: { 'object-labels'?: Record<string, string>; fields?: Array<{ 'field-id': number; labels: Record<string, string> }> }): string {
  const rows = [
    ...Object.entries(labels['object-labels'] ?? {}).map(([key, value]) => ({ field: '', key, value })),
    ...(labels.fields ?? []).flatMap((f) => Object.entries(f.labels).map(([key, value]) => ({ field: String(f['field-id']), key, value }))),
  ];
  return rows.length > 0 ? table(rows, ['field', 'key', 'value']) : 'no labels';
}
