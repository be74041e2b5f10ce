/**
 * `lakegate policy`: row-filter and column-mask policies of a table (or, with --view, a view) through the management
 * API (issue 53): list, show, create, update, remove (grants:manage on the object), and `effective`, the caller's own.
 */
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help, isHelpWord } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { parseObjectIdentifier } from '../cli/identifiers.js';
import { table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';

export const POLICY_HELP = `usage: lakegate policy ls TABLE [--view] [-w WAREHOUSE]
       lakegate policy show TABLE ID
       lakegate policy create TABLE --role ROLE... (--filter JSON | --mask COLUMN=ACTION[=VALUE]...) [--description TEXT]
       lakegate policy update TABLE ID --role ROLE... (--filter JSON | --mask ...) [--version N]
       lakegate policy rm TABLE ID
       lakegate policy effective TABLE
       lakegate policy enforcers
       lakegate policy enforce CLIENT_ID --mechanism trino-opa|read-restrictions [--trino-catalog NAME]
       lakegate policy unenforce CLIENT_ID

Row-filter and column-mask policies restrict what the members of their roles may read of a table (TABLE is
NAMESPACE.NAME). Managing them needs grants:manage on the table; "effective" shows your own, and why.
  --view              TABLE names a view: its policies, over the view's columns (enforced by declared enforcers;
                      anyone else a view's policy restricts cannot load the view)
  --filter JSON       a row filter: the Iceberg REST expression JSON, e.g. '{"type":"eq","term":"region","value":"eu"}'
  --mask C=ACTION     a column mask; ACTION is one of replace-with-null, mask-to-fixed-value (C=mask-to-fixed-value=V),
                      sha-256-query-local, sha-256-global, mask-alphanum, truncate-to-year, truncate-to-month,
                      show-first-4, show-last-4; C names a column, a struct's field (person.email), a list's element
                      (tags.element) or a map's value (attrs.value). V is read as JSON when it parses (a number,
                      true, false), else as text: quote a string that would, e.g. 'zip=mask-to-fixed-value="12345"'
  --version N         update only if the policy is still at version N (409 otherwise)
  enforce             declare an engine principal an enforcer of the warehouse's policies (tenant administrators):
                      its user sessions get storage access to restricted tables and the users' policies
                      (trino-opa: Lakegate's OPA decision endpoints; read-restrictions: loadTable's read-restrictions)
A caller a policy applies to gets no storage access to the table's own files: it reads through the catalog's
server-side scan plan (policy-enforced files) or, for a Lance table, a policy-derived dataset (docs/authorization.md).`;

const OPTIONS = {
  view: { type: 'boolean' },
  role: { type: 'string', multiple: true },
  filter: { type: 'string' },
  mask: { type: 'string', multiple: true },
  description: { type: 'string' },
  version: { type: 'string' },
  mechanism: { type: 'string' },
  'trino-catalog': { type: 'string' },
} as const;

export async function policyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, OPTIONS);
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined || isHelpWord(sub)) return help(POLICY_HELP);
  const { out, settings } = commandContext(values);
  const warehouse = settings.warehouse;
  if (!warehouse) throw new UsageError('policy needs a warehouse: --warehouse NAME, $LAKEGATE_WAREHOUSE or a profile with one');
  const policies = openManagement(settings).policies;
  const on = { kind: values.view ? ('view' as const) : ('table' as const) };
  switch (sub) {
    case 'ls':
    case 'list': {
      const [name] = positionalArgs(rest, ['TABLE']);
      const list = await out.progress('listing policies', () => policies.list(warehouse, parseObjectIdentifier(name!, undefined), on));
      const rows = list.map((p) => ({
        id: p.id,
        kind: p.kind,
        version: p.version,
        roles: p.roles.join(','),
        status: p.status ?? '',
        what: p.kind === 'row-filter' ? JSON.stringify(p.filter) : (p.masks ?? []).map((m) => `${m.column}=${m.action}`).join(' '),
      }));
      const unusable = list.filter((p) => p.status === 'unusable').map((p) => `\n${unusableLine(p)}`);
      out.result({ policies: list }, () =>
        rows.length ? table(rows, ['id', 'kind', 'version', 'roles', 'status', 'what']) + unusable.join('') : 'no policies',
      );
      return 0;
    }
    case 'show': {
      const [name, id] = positionalArgs(rest, ['TABLE', 'ID']);
      const p = await policies.get(warehouse, parseObjectIdentifier(name!, undefined), id!, on);
      out.result(p, () => (p.status === 'unusable' ? `${unusableLine(p)}\n` : '') + JSON.stringify(p, null, 2));
      return 0;
    }
    case 'create': {
      const [name] = positionalArgs(rest, ['TABLE']);
      const body = contentOf(values);
      const kind = body.filter !== undefined ? 'row-filter' : 'column-mask';
      const p = await out.progress('creating the policy', () => policies.create(warehouse, parseObjectIdentifier(name!, undefined), { kind, ...body }, on));
      out.result(p, () => `Created ${p.kind} policy ${p.id} (version ${p.version})`);
      return 0;
    }
    case 'update': {
      const [name, id] = positionalArgs(rest, ['TABLE', 'ID']);
      const version = values.version === undefined ? {} : { version: whole(values.version) };
      const p = await out.progress('updating the policy', () =>
        policies.update(warehouse, parseObjectIdentifier(name!, undefined), id!, { ...contentOf(values), ...version }, on),
      );
      out.result(p, () => `Updated ${p.kind} policy ${p.id} (now version ${p.version})`);
      return 0;
    }
    case 'rm':
    case 'delete': {
      const [name, id] = positionalArgs(rest, ['TABLE', 'ID']);
      await out.progress('removing the policy', () => policies.delete(warehouse, parseObjectIdentifier(name!, undefined), id!, on));
      out.result({ removed: id }, () => `Removed policy ${id}`);
      return 0;
    }
    case 'effective': {
      const [name] = positionalArgs(rest, ['TABLE']);
      const e = await policies.effective(warehouse, parseObjectIdentifier(name!, undefined), on);
      out.result(e, () => e.summary);
      return 0;
    }
    case 'enforcers': {
      positionalArgs(rest, []);
      const list = await policies.enforcers(warehouse);
      const rows = list.map((e) => ({ principal: e['client-id'], mechanism: e.mechanism, catalog: e['trino-catalog'] ?? '', by: e['created-by'] }));
      out.result({ enforcers: list }, () => (rows.length ? table(rows, ['principal', 'mechanism', 'catalog', 'by']) : 'no policy enforcers'));
      return 0;
    }
    case 'enforce': {
      const [clientId] = positionalArgs(rest, ['CLIENT_ID']);
      const mechanism = values.mechanism;
      if (mechanism !== 'trino-opa' && mechanism !== 'read-restrictions')
        throw new UsageError('enforce needs --mechanism trino-opa or --mechanism read-restrictions');
      const catalog = values['trino-catalog'] === undefined ? {} : { 'trino-catalog': values['trino-catalog'] };
      const e = await out.progress('declaring the enforcer', () => policies.setEnforcer(warehouse, clientId!, { mechanism, ...catalog }));
      out.result(
        e,
        () => `${e['client-id']} enforces the policies of ${e.warehouse} (${e.mechanism}${e['trino-catalog'] ? `, Trino catalog ${e['trino-catalog']}` : ''})`,
      );
      return 0;
    }
    case 'unenforce': {
      const [clientId] = positionalArgs(rest, ['CLIENT_ID']);
      await out.progress('withdrawing the enforcer', () => policies.removeEnforcer(warehouse, clientId!));
      out.result({ removed: clientId }, () => `${clientId} no longer enforces the policies of ${warehouse}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown policy command ${JSON.stringify(sub)}; run "lakegate policy --help"`);
  }
}

/** The warning for a policy that no longer applies to the object's current schema (its restricted reads get 403). */
function unusableLine(p: { id: string; reason?: string }): string {
  return `warning: policy ${p.id} cannot be applied to the current schema (${p.reason ?? 'no reason given'}); restricted reads are refused until it is updated or deleted`;
}

function contentOf(values: { role?: string[]; filter?: string; mask?: string[]; description?: string }): {
  roles: string[];
  filter?: unknown;
  masks?: Array<{ column: string; action: 'replace-with-null'; value?: unknown }>;
  description?: string;
} {
  const roles = values.role ?? [];
  if (roles.length === 0) throw new UsageError('name the roles the policy restricts: --role ROLE (repeatable)');
  if ((values.filter === undefined) === ((values.mask ?? []).length === 0))
    throw new UsageError('give --filter JSON (a row filter) or --mask COLUMN=ACTION (column masks), one of them');
  const description = values.description === undefined ? {} : { description: values.description };
  if (values.filter !== undefined) {
    let filter: unknown;
    try {
      filter = JSON.parse(values.filter);
    } catch {
      throw new UsageError('--filter expects an Iceberg expression as JSON');
    }
    return { roles, filter, ...description };
  }
  const masks = values.mask!.map((m) => {
    const [column, action, ...value] = m.split('=');
    if (!column || !action) throw new UsageError(`--mask expects COLUMN=ACTION[=VALUE], got ${JSON.stringify(m)}`);
    return { column, action: action as 'replace-with-null', ...(value.length > 0 ? { value: fixedValue(value.join('=')) } : {}) };
  });
  return { roles, masks, ...description };
}

/** A fixed value as JSON when it parses (numbers, booleans), else the text itself. */
function fixedValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function whole(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--version expects a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}
