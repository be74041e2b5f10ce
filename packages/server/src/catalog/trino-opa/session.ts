/**
 * Who a Trino OPA decision is for, and where (issue 54): the engine principal that asks (a declared `trino-opa`
 * enforcer of the warehouse, ports/enforcers.ts), the Trino user as the Caller the catalog's rules see (the
 * asserted user `user:<name>` acting through the engine, as Trino's USER sessions present it to the Iceberg API, so
 * both paths decide with the same members), and Trino catalog names mapped to the warehouses the engine enforces.
 *
 * Trino's groups (its group provider's answer, `context.identity.groups`) count as asserted groups
 * (`group:asserted:<name>`): an enforcer asserts them as it asserts the user, so they are honoured only where its
 * assertion of the user is (a declared trino-opa enforcer, a user its delegation policy lists, a catalog mapped to a
 * warehouse it enforces: every answer is about those) and never match an IdP's group of the same name (issuers never
 * collide, as for users). Lakegate keeps no directory of IdP users, so it has no other groups to give an asserted
 * user. The groups are part of the Caller (its members, and its description in every audit record it makes).
 */
import { TtlCache } from '../ttl-cache.js';
import type { Caller, Clock } from '../ports/index.js';
import type { Member } from '../ports/access.js';
import type { PolicyGate } from '../policies/gate.js';
import type { PolicyEnforcer } from '../ports/enforcers.js';
import type { EngineUsers } from '../ports/trino-opa.js';

export const ASSERTED = 'asserted';

/** The Trino catalog name of a declared enforcer (default: the warehouse name, lower-cased, other characters as _). */
export const trinoCatalogOf = (e: PolicyEnforcer): string => e.trinoCatalog ?? e.warehouse.toLowerCase().replace(/[^a-z0-9_]/g, '_');

export interface OpaSession {
  engine: string;
  user: Caller;
  /** Whether the engine may act for the user at all (an unknown user gets nothing). */
  known: boolean;
  /** Trino catalog name → warehouse, for the engine's trino-opa declarations. */
  catalogs: ReadonlyMap<string, string>;
}

export class OpaSessions {
  private readonly callers: TtlCache<Caller>;
  private readonly known: TtlCache<boolean>;

  constructor(
    private readonly gate: PolicyGate,
    private readonly users: EngineUsers,
    clock: Clock,
    ttlMs: number,
  ) {
    this.callers = new TtlCache(ttlMs, () => clock.now(), 10_000);
    this.known = new TtlCache(ttlMs, () => clock.now(), 10_000);
  }

  /** The session of a decision asked by `engine` (its Caller) for the Trino user `user` in Trino's `groups`. */
  async open(engine: Caller, user: string, groups: readonly string[] = []): Promise<OpaSession | undefined> {
    const engineId = engine.members.length === 1 && engine.members[0]!.kind === 'principal' ? engine.members[0]!.name : undefined;
    if (engineId === undefined || engine.act !== undefined) return undefined;
    const declared = (await this.gate.enforcerDeclarations(engine.tenant, engineId)).filter((e) => e.mechanism === 'trino-opa');
    if (declared.length === 0) return undefined;
    const key = `${engine.tenant}\u0000${engineId}\u0000${user}`;
    const asserted = groupsOf(groups);
    let known = this.known.get(key);
    if (known === undefined) {
      const generation = this.known.generation;
      known = await this.users.mayActFor(engine.tenant, engineId, user);
      this.known.set(key, known, generation);
    }
    return {
      engine: engineId,
      user: this.callerOf(engine.tenant, engineId, user, asserted, asserted.length === 0 ? key : `${key}\u0000${JSON.stringify(asserted)}`),
      known,
      catalogs: new Map(declared.map((e) => [trinoCatalogOf(e), e.warehouse])),
    };
  }

  /** One frozen Caller per (engine, user, groups): the access service keys its decision cache by the members array. */
  private callerOf(tenant: string, engine: string, user: string, groups: readonly string[], key: string): Caller {
    const kept = this.callers.get(key);
    if (kept !== undefined) return kept;
    const members: readonly Member[] = Object.freeze([
      Object.freeze({ kind: 'user' as const, issuer: ASSERTED, name: user }),
      ...groups.map((name) => Object.freeze({ kind: 'group' as const, issuer: ASSERTED, name })),
    ]);
    const caller: Caller = Object.freeze({
      tenant,
      // The asserted groups in the description: every audit record of this caller names what the engine asserted.
      description: groups.length === 0 ? `user:${user} via ${engine}` : `user:${user} (groups asserted: ${namedGroups(groups)}) via ${engine}`,
      key: JSON.stringify(['user', ASSERTED, user]),
      members,
      admin: false,
      unrestricted: false,
      act: Object.freeze([engine]),
    });
    this.callers.set(key, caller, this.callers.generation);
    return caller;
  }
}

/** How many groups an audit record names one by one: a user in hundreds of groups must not make every record huge. */
export const GROUPS_NAMED = 20;

/** The groups as audit records name them: the first GROUPS_NAMED (sorted), then how many more. */
export function namedGroups(groups: readonly string[]): string {
  if (groups.length <= GROUPS_NAMED) return groups.join(', ');
  return `${groups.slice(0, GROUPS_NAMED).join(', ')} and ${groups.length - GROUPS_NAMED} more`;
}

/**
 * Trino's groups as one canonical list, deduplicated and sorted (one Caller per set, in whatever order Trino sends
 * it); names no role member can have (empty, or over the 255 characters of a member name) match nothing and are left
 * out. The protocol admits at most 1,000 groups.
 */
function groupsOf(groups: readonly string[]): string[] {
  if (groups.length === 0) return [];
  return [...new Set(groups.filter((g) => g.length > 0 && g.length <= 255))].sort();
}
