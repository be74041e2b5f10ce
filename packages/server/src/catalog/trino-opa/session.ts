/**
 * Who a Trino OPA decision is for, and where (issue 54): the engine principal that asks (a declared `trino-opa`
 * enforcer of the warehouse, ports/enforcers.ts), the Trino user as the Caller the catalog's rules see (the
 * asserted user `user:<name>` acting through the engine, as Trino's USER sessions present it to the Iceberg API, so
 * both paths decide with the same members), and Trino catalog names mapped to the warehouses the engine enforces.
 * Trino's groups are not used: an asserted identity carries no groups (anyone can write them), and the USER-session
 * tokens of the same user carry none either, so both paths answer the same.
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

  /** The session of a decision asked by `engine` (its Caller) for the Trino user `user`. */
  async open(engine: Caller, user: string): Promise<OpaSession | undefined> {
    const engineId = engine.members.length === 1 && engine.members[0]!.kind === 'principal' ? engine.members[0]!.name : undefined;
    if (engineId === undefined || engine.act !== undefined) return undefined;
    const declared = (await this.gate.enforcerDeclarations(engine.tenant, engineId)).filter((e) => e.mechanism === 'trino-opa');
    if (declared.length === 0) return undefined;
    const key = `${engine.tenant}\u0000${engineId}\u0000${user}`;
    let known = this.known.get(key);
    if (known === undefined) {
      const generation = this.known.generation;
      known = await this.users.mayActFor(engine.tenant, engineId, user);
      this.known.set(key, known, generation);
    }
    return {
      engine: engineId,
      user: this.callerOf(engine.tenant, engineId, user, key),
      known,
      catalogs: new Map(declared.map((e) => [trinoCatalogOf(e), e.warehouse])),
    };
  }

  /** One frozen Caller per (engine, user): the access service keys its decision cache by the members array. */
  private callerOf(tenant: string, engine: string, user: string, key: string): Caller {
    const kept = this.callers.get(key);
    if (kept !== undefined) return kept;
    const members: readonly Member[] = Object.freeze([Object.freeze({ kind: 'user' as const, issuer: ASSERTED, name: user })]);
    const caller: Caller = Object.freeze({
      tenant,
      description: `user:${user} via ${engine}`,
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
