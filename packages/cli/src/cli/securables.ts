/**
 * Access-management arguments on the command line. A securable is `TYPE:IDENTIFIER`, its identifier starting with
 * the warehouse and written like every other identifier (cli/identifiers.ts: dotted levels, a level holding a dot or
 * quote in double quotes): `warehouse:lake`, `namespace:lake.sales`, `table:lake.sales.orders`,
 * `view:lake."2024.q1".daily`. A member is named by `--principal ID`, `--user NAME --issuer URL` or
 * `--group NAME --issuer URL`.
 */
import type { ExplainSubject, Member, Privilege, Securable } from '@lakegate/client';
import { UsageError } from './errors.js';
import { formatLevels, parseLevels } from './identifiers.js';

/** The smallest number of levels each securable type has (warehouse, then namespace levels, then the name). */
const MIN_LEVELS = { warehouse: 1, namespace: 2, table: 3, view: 3 } as const;

const SECURABLE_HELP = 'write TYPE:IDENTIFIER, e.g. warehouse:lake, namespace:lake.sales, table:lake.sales.orders, view:lake.sales.daily';

/** The member options of `role add-member`, `role rm-member` and `explain`. */
export const MEMBER_OPTIONS = {
  principal: { type: 'string' },
  user: { type: 'string' },
  group: { type: 'string', multiple: true },
  issuer: { type: 'string' },
} as const;

/**
 * Reads a securable.
 *
 * @example
 * ```ts
 * parseSecurable('table:lake."2024.q1".orders'); // { type: 'table', warehouse: 'lake', namespace: ['2024.q1'], name: 'orders' }
 * ```
 */
export function parseSecurable(text: string): Securable {
  const colon = text.indexOf(':');
  const type = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  if (!Object.hasOwn(MIN_LEVELS, type)) throw new UsageError(`not a securable: ${JSON.stringify(text)}; ${SECURABLE_HELP}`);
  const kind = type as keyof typeof MIN_LEVELS;
  const levels = parseLevels(text.slice(colon + 1), kind);
  if (levels.length < MIN_LEVELS[kind] || (kind === 'warehouse' && levels.length > 1)) {
    const shape = { warehouse: 'WAREHOUSE', namespace: 'WAREHOUSE.NAMESPACE', table: 'WAREHOUSE.NAMESPACE.TABLE', view: 'WAREHOUSE.NAMESPACE.VIEW' }[kind];
    throw new UsageError(`${JSON.stringify(text)}: a ${kind} is ${kind}:${shape} (quote a level that holds a dot)`);
  }
  const [warehouse, ...rest] = levels as [string, ...string[]];
  if (kind === 'warehouse') return { type: kind, warehouse };
  if (kind === 'namespace') return { type: kind, warehouse, namespace: rest };
  return { type: kind, warehouse, namespace: rest.slice(0, -1), name: rest[rest.length - 1]! };
}

/**
 * Writes a securable back in the form {@link parseSecurable} reads.
 *
 * @example
 * ```ts
 * formatSecurable({ type: 'namespace', warehouse: 'lake', namespace: ['sales'] }); // "namespace:lake.sales"
 * ```
 */
export function formatSecurable(securable: Securable): string {
  const levels = [securable.warehouse];
  if (securable.type !== 'warehouse') levels.push(...securable.namespace);
  if (securable.type === 'table' || securable.type === 'view') levels.push(securable.name);
  return `${securable.type}:${formatLevels(levels)}`;
}

/**
 * A comma-separated privilege list, e.g. `table:read-data,table:list`. The server checks the names, so a CLI older
 * than the server still passes new privileges on.
 *
 * @example
 * ```ts
 * parsePrivileges('namespace:list, table:list'); // ['namespace:list', 'table:list']
 * ```
 */
export function parsePrivileges(text: string): Privilege[] {
  const privileges = [...new Set(text.split(',').map((p) => p.trim()))];
  if (privileges.some((p) => p === ''))
    throw new UsageError(`empty privilege in ${JSON.stringify(text)}; write PRIVILEGE[,PRIVILEGE...], e.g. table:read-data,table:list`);
  return privileges as Privilege[];
}

/**
 * `PRIVILEGE[,…] ON SECURABLE TO|FROM ROLE` (keywords in any case), the arguments of grant and revoke.
 *
 * @example
 * ```ts
 * grantArguments(['table:read-data', 'ON', 'namespace:lake.sales', 'TO', 'analyst'], 'TO');
 * ```
 */
export function grantArguments(positionals: string[], preposition: 'TO' | 'FROM'): { privileges: Privilege[]; securable: Securable; role: string } {
  const usage = `expected PRIVILEGE[,...] ON SECURABLE ${preposition} ROLE`;
  if (positionals.length !== 5) throw new UsageError(`${usage}, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`);
  const [privileges, on, securable, to, role] = positionals as [string, string, string, string, string];
  if (on.toUpperCase() !== 'ON') throw new UsageError(`${usage}: "ON" is missing after the privileges`);
  if (to.toUpperCase() !== preposition) throw new UsageError(`${usage}: "${preposition}" is missing before the role`);
  return { privileges: parsePrivileges(privileges), securable: parseSecurable(securable), role };
}

/** The values of {@link MEMBER_OPTIONS}. */
export interface MemberValues {
  principal?: string | undefined;
  user?: string | undefined;
  group?: string[] | undefined;
  issuer?: string | undefined;
}

const MEMBER_HELP = 'name it with --principal CLIENT_ID, --user NAME --issuer URL or --group NAME --issuer URL';

/**
 * The one member the options name (for role add-member and rm-member).
 *
 * @example
 * ```ts
 * memberOf({ group: ['analysts'], issuer: 'https://idp/realms/lake' }); // { kind: 'group', name: 'analysts', issuer: ... }
 * ```
 */
export function memberOf(values: MemberValues): Member {
  const subject = subjectOf(values);
  if (subject.kind === 'user' && subject.groups?.length) throw new UsageError(`name one member: a user or a group, not both; ${MEMBER_HELP}`);
  const { groups: _groups, ...member } = subject;
  return member;
}

/**
 * The subject of an explain: a principal, a user with the groups its token would carry (`--user U --group G ...`),
 * or one group.
 *
 * @example
 * ```ts
 * subjectOf({ user: 'alice', group: ['analysts'], issuer: 'https://idp/realms/lake' });
 * ```
 */
export function subjectOf(values: MemberValues): ExplainSubject {
  const groups = values.group ?? [];
  if (values.principal !== undefined) {
    if (values.user !== undefined || groups.length || values.issuer !== undefined)
      throw new UsageError(`a principal is named by its client id alone; ${MEMBER_HELP}`);
    return { kind: 'principal', name: values.principal };
  }
  if (values.user === undefined && groups.length === 0) throw new UsageError(`no member given; ${MEMBER_HELP}`);
  if (values.issuer === undefined)
    throw new UsageError(`a ${values.user !== undefined ? 'user' : 'group'} needs --issuer URL (a trusted issuer, or "asserted" for names an engine asserts)`);
  if (values.user !== undefined) return { kind: 'user', name: values.user, issuer: values.issuer, ...(groups.length ? { groups } : {}) };
  if (groups.length > 1) throw new UsageError(`name one group (or a --user with the groups it belongs to); ${MEMBER_HELP}`);
  return { kind: 'group', name: groups[0]!, issuer: values.issuer };
}

/**
 * A member for people: `principal ID`, `user alice (https://idp/…)`.
 *
 * @example
 * ```ts
 * describeMember({ kind: 'group', name: 'analysts', issuer: 'asserted' }); // "group analysts (asserted)"
 * ```
 */
export function describeMember(member: Member): string {
  return member.kind === 'principal' ? `principal ${member.name}` : `${member.kind} ${member.name} (${member.issuer})`;
}
