/**
 * The OpenFGA adapter of the access ports: AccessControl (who holds which
 * role, which role holds which privilege where) and Authorizer (decisions)
 * over an OpenFGA store with Lakegate's model (model.ts).
 *
 * What lives where:
 * - Role assignments and grants are tuples in OpenFGA (ids: ids.ts), so
 *   every replica and any other service that asks OpenFGA sees the same.
 * - Role definitions (name, description, creation time) stay in the catalog
 *   database (the `roles` port passed in): OpenFGA ids cannot carry a
 *   description, and roles are few and change rarely. A role is "in use"
 *   while any tuple names it.
 * - Nothing structural is synced: a check carries the securable's ancestry
 *   (warehouse → namespaces → object, from its SecurablePath) and the
 *   caller's identities (its principal, or its user and each IdP group of its
 *   token) as contextual tuples, so creating, renaming or dropping objects
 *   and users joining IdP groups write nothing here.
 *
 * Decisions: `check` sends its queries as BatchCheck requests of
 * `openfgaBatchCheckSize` checks (fga-client.ts), parents first where several
 * queries share one (parents-first.ts);
 * `isAdmin` one Check on the tenant's admin role; `explain` reads the grants
 * on the path held by the subject's roles and keeps those that confer the
 * privilege, exactly as the built-in authorizer does.
 *
 * Times: createdAtMs of a member or grant is the time OpenFGA stored the
 * tuple (its own clock), not the caller's.
 */
import { randomUUID } from 'node:crypto';
import type { Tuple, TupleKey } from '@openfga/sdk';
import {
  ADMIN_ROLE_NAME,
  type AccessControl,
  type AccessQuery,
  type Authorizer,
  type CheckMemo,
  type GrantQuery,
  type GrantRecord,
  type Member,
  type RoleAssignment,
  type RoleRecord,
  type SecurablePath,
  type SecurableRef,
  pathElements,
} from '../../../catalog/ports/access.js';
import { type Privilege, type SecurableKind, grantsConferring } from '../../../catalog/privileges.js';
import { mapBounded } from '../../../catalog/bounded.js';
import type { OutboxEventInput, OutboxWriter } from '../../../catalog/ports/outbox.js';
import type { EventIntent, EventIntentStore, ExternalWrite, IntentResolver } from '../../../catalog/ports/intents.js';
import { resolveIntent } from '../../../catalog/outbox/intent-recovery.js';
import { ConfigError } from '../../../config/config.js';
import { isCatalogError } from '../../../errors/catalog-error.js';
import { FgaClient, MAX_TUPLES_PER_WRITE, type FgaCallCounts } from './fga-client.js';
import {
  memberObject,
  memberUser,
  parseMemberUser,
  parseRoleObject,
  parseRoleUser,
  parseSecurableObject,
  roleObject,
  roleUser,
  securableCheckObject,
  securableObject,
} from './ids.js';
import { ASSIGNEE_RELATION, LOCATED_IN_RELATION, SECURABLE_KINDS, privilegeOfRelation, relationOf } from './model.js';
import { ensureModel, findOrCreateStore } from './store-setup.js';
import { decideParentsFirst } from './parents-first.js';
import { CALLER, MAX_CONTEXTUAL, byKey, chunked, identityTuples, refKey, timeOf } from './check-tuples.js';

/** Where role definitions are kept (the catalog database's AccessControl, or memory in tests). */
export type RoleDefinitions = Pick<AccessControl, 'createRole' | 'getRole' | 'listRoles' | 'deleteRole' | 'withEvents'>;

export interface OpenFgaOptions {
  url: string;
  /** Empty: the store named "lakegate" (found or created). */
  storeId: string;
  token: string;
  roles: RoleDefinitions;
  /** Checks per BatchCheck request (OpenFGA's --max-checks-per-batch-check). */
  maxBatchCheck?: number | undefined;
  /** Where member and grant changes record their events before the tuple write (required for withEvents with expected events). */
  intents?: EventIntentStore | undefined;
  now?: (() => number) | undefined;
}

/**
 * How this instance's tuple writes relate to events: 'direct' writes them (outside withEvents: no events); 'journal'
 * records each write in the change's intent first; 'refuse' is the instance handed to a withEvents without expected
 * events, which runs in the role store's transaction and must not write tuples (there is no intent to name them).
 */
type TupleMode = { kind: 'direct' } | { kind: 'journal'; record: (write: ExternalWrite) => Promise<void> } | { kind: 'refuse' };

/** Reads in flight at once for one listing. */
const READ_CONCURRENCY = 8;
/** Past this many grants of one role on one kind, reading them costs more than checking a listing's tables. */
const GRANTED_OBJECTS_MAX = 5_000;
const GRANTED_OBJECTS_MAX_MEMBERS = 16;
export class OpenFgaAccess implements AccessControl, Authorizer, IntentResolver {
  private constructor(
    private readonly fga: FgaClient,
    private readonly roles: RoleDefinitions,
    private readonly intents: EventIntentStore | undefined,
    private readonly now: () => number,
    private readonly mode: TupleMode = { kind: 'direct' },
  ) {}

  /** Finds or creates the store, writes the model when it is absent or outdated; a ConfigError when OpenFGA cannot be used. */
  static async connect(options: OpenFgaOptions): Promise<OpenFgaAccess> {
    const fga = new FgaClient({ url: options.url, token: options.token || undefined, maxBatchCheck: options.maxBatchCheck });
    try {
      fga.storeId = await findOrCreateStore(fga, options.storeId);
      fga.modelId = await ensureModel(fga, fga.storeId);
    } catch (e) {
      // At start-up, say where and what (the sanitized cause: operation and status or network error code), never the token.
      if (isCatalogError(e) && e.code === 'ERR_UNAVAILABLE')
        throw new ConfigError(`cannot use OpenFGA at ${new URL(options.url).origin}: ${e.cause instanceof Error ? e.cause.message : 'no answer'}`);
      throw e;
    }
    return new OpenFgaAccess(fga, options.roles, options.intents, options.now ?? Date.now);
  }

  get storeId(): string {
    return this.fga.storeId;
  }

  get modelId(): string {
    return this.fga.modelId;
  }

  /** OpenFGA requests made so far, by operation (for benchmarks and tests). */
  get calls(): Readonly<FgaCallCounts> {
    return this.fga.calls;
  }

  /** The checks sent in BatchCheck requests so far. */
  get batchCheckItems(): number {
    return this.fga.batchCheckItems;
  }

  /**
   * Role members and grants are tuples in OpenFGA, outside the catalog database, so they cannot share a transaction
   * with their events. Instead (catalog/ports/intents.ts): before each tuple write, the change's intent (the
   * `expected` events and the writes so far) is saved in the database; when fn returns, the events it appended are
   * published with the intent's removal in one transaction (none appended: the change changed nothing, the intent is
   * dropped). When fn fails after a tuple write, the intent is resolved at once by reading the tuples back (published
   * if any write holds, dropped if none does); a crash, or a failure of that read or of the publish, leaves it to the
   * recovery sweep, which does the same later. So a change that happened has its event, one that did not has none.
   * Role definitions are rows of the database: without expected events fn runs in the role store's transaction with
   * its events, and may not write tuples.
   */
  async withEvents<T>(fn: (control: AccessControl, outbox: OutboxWriter) => Promise<T>, expected?: readonly OutboxEventInput[]): Promise<T> {
    if (!expected || expected.length === 0)
      return this.roles.withEvents((roles, outbox) => fn(new OpenFgaAccess(this.fga, roles, undefined, this.now, { kind: 'refuse' }), outbox));
    const intents = this.intents;
    if (!intents) throw new TypeError('OpenFgaAccess: withEvents with expected events needs an intent store (options.intents)');
    const intent: EventIntent = { id: randomUUID(), createdAtMs: this.now(), events: [...expected], writes: [] };
    const record = async (write: ExternalWrite) => {
      intent.writes.push(write);
      await intents.saveIntent(intent);
    };
    const appended: OutboxEventInput[] = [];
    let result: T;
    try {
      result = await fn(new OpenFgaAccess(this.fga, this.roles, undefined, this.now, { kind: 'journal', record }), {
        appendEvents: async (events) => void appended.push(...events),
      });
    } catch (e) {
      // The swallowed failure leaves the intent pending: the recovery sweep resolves it.
      if (intent.writes.length > 0) await resolveIntent(intent, intents, this).catch(() => undefined);
      throw e;
    }
    if (intent.writes.length === 0) {
      // No tuple was written (fn changed role definitions only, or nothing): its events, if any, in a transaction of their own.
      if (appended.length > 0) await this.roles.withEvents((_, outbox) => outbox.appendEvents(appended));
    } else if (appended.length > 0) await intents.publishIntent(intent.id, appended);
    else await intents.dropIntent(intent.id);
    return result;
  }

  /** IntentResolver: does any of the writes hold in OpenFGA now (a written tuple present, a deleted one absent)? */
  async anyInEffect(writes: readonly ExternalWrite[]): Promise<boolean> {
    for (const w of writes) {
      const found = await this.fga.read({ user: w.user, relation: w.relation, object: w.object });
      const present = found.some((t) => t.key.user === w.user && t.key.relation === w.relation && t.key.object === w.object);
      if (present === (w.op === 'write')) return true;
    }
    return false;
  }

  /** Records a tuple write in the change's intent before it is sent (see withEvents). */
  private async journal(op: ExternalWrite['op'], key: TupleKey): Promise<void> {
    if (this.mode.kind === 'refuse') throw new TypeError('OpenFgaAccess: a tuple change inside withEvents needs its expected events');
    if (this.mode.kind === 'journal') await this.mode.record({ op, user: key.user, relation: key.relation, object: key.object });
  }

  // --- roles ---------------------------------------------------------------------------------

  createRole(role: RoleRecord): Promise<boolean> {
    roleObject(role.tenant, role.name); // refuses a name OpenFGA could not hold before anything is stored
    return this.roles.createRole(role);
  }

  getRole(tenant: string, name: string): Promise<RoleRecord | undefined> {
    return this.roles.getRole(tenant, name);
  }

  listRoles(tenant?: string): Promise<RoleRecord[]> {
    return this.roles.listRoles(tenant);
  }

  async deleteRole(tenant: string, name: string): Promise<'deleted' | 'missing' | 'in-use'> {
    if (!(await this.roles.getRole(tenant, name))) return 'missing';
    const members = await this.fga.read({ object: roleObject(tenant, name), relation: ASSIGNEE_RELATION });
    if (members.length > 0) return 'in-use';
    const user = roleUser(tenant, name);
    const grants = await mapBounded(SECURABLE_KINDS, (kind) => this.fga.read({ user, object: `${kind}:` }), 4);
    if (grants.some((g) => g.length > 0)) return 'in-use';
    return this.roles.deleteRole(tenant, name);
  }

  // --- members -------------------------------------------------------------------------------

  async addMember(a: RoleAssignment): Promise<boolean> {
    const key = { user: memberUser(a.tenant, a.member), relation: ASSIGNEE_RELATION, object: roleObject(a.tenant, a.role) };
    await this.journal('write', key);
    return (await this.fga.write([key])) === 'ok';
  }

  async removeMember(tenant: string, role: string, member: Member): Promise<boolean> {
    if (!memberObject(tenant, member)) return false;
    const key = { user: memberUser(tenant, member), relation: ASSIGNEE_RELATION, object: roleObject(tenant, role) };
    await this.journal('delete', key);
    return (await this.fga.write([], [key])) === 'ok';
  }

  async listMembers(tenant: string, role: string): Promise<RoleAssignment[]> {
    const tuples = await this.fga.read({ object: roleObject(tenant, role), relation: ASSIGNEE_RELATION });
    return tuples
      .flatMap((t) => {
        const parsed = parseMemberUser(t.key.user);
        return parsed && parsed.tenant === tenant ? [{ tenant, role, member: parsed.member, createdAtMs: timeOf(t) }] : [];
      })
      .sort(byKey((m) => `${m.member.kind}\u0000${m.member.issuer}\u0000${m.member.name}`));
  }

  async rolesOf(tenant: string, members: readonly Member[]): Promise<string[]> {
    const users = [...new Set(members.flatMap((m) => (memberObject(tenant, m) ? [memberUser(tenant, m)] : [])))];
    const found = await mapBounded(users, (user) => this.fga.read({ user, relation: ASSIGNEE_RELATION, object: 'role:' }), READ_CONCURRENCY);
    const roles = new Set<string>();
    for (const t of found.flat()) {
      const r = parseRoleObject(t.key.object);
      if (r && r.tenant === tenant) roles.add(r.role);
    }
    return [...roles].sort();
  }

  // --- grants --------------------------------------------------------------------------------

  async grant(g: GrantRecord): Promise<boolean> {
    const object = securableObject(g.securable);
    const key = { user: roleUser(g.tenant, g.role), relation: relationOf(g.privilege), object };
    await this.journal('write', key);
    // The anchor first: a failure between the two writes leaves an anchor without a grant (harmless), never a grant whose warehouse is unknown.
    if (g.securable.kind !== 'warehouse') {
      await this.fga.write([{ user: securableObject({ kind: 'warehouse', id: g.securable.warehouse }), relation: LOCATED_IN_RELATION, object }], [], {
        ignoreDuplicates: true,
      });
    }
    return (await this.fga.write([key])) === 'ok';
  }

  async revoke(tenant: string, role: string, privilege: Privilege, securable: SecurableRef): Promise<boolean> {
    const key = { user: roleUser(tenant, role), relation: relationOf(privilege), object: securableObject(securable) };
    await this.journal('delete', key);
    return (await this.fga.write([], [key])) === 'ok';
  }

  async listGrants(q: GrantQuery): Promise<GrantRecord[]> {
    let tuples: Tuple[];
    if (q.securable) {
      tuples = await this.fga.read({ object: securableCheckObject(q.securable) });
    } else {
      const roles = q.role !== undefined ? [q.role] : [...new Set([ADMIN_ROLE_NAME, ...(await this.roles.listRoles(q.tenant)).map((r) => r.name)])];
      tuples = await this.grantTuplesOfRoles(q.tenant, roles);
    }
    const grants = (await this.toGrants(tuples, q.tenant)).filter(
      (g) => (q.role === undefined || g.role === q.role) && (q.warehouse === undefined || g.securable.warehouse === q.warehouse),
    );
    return grants.sort(byKey((g) => `${g.role}\u0000${g.securable.kind}\u0000${g.securable.id}\u0000${g.privilege}`));
  }

  async grantsOn(tenant: string, roles: readonly string[], securables: readonly SecurableRef[]): Promise<GrantRecord[]> {
    if (roles.length === 0 || securables.length === 0) return [];
    const wanted = new Map(securables.map((s) => [refKey(s), s]));
    // Whichever needs fewer reads: the tuples on each securable, or the tuples of each role (one read per kind).
    const tuples =
      wanted.size <= roles.length * SECURABLE_KINDS.length
        ? (await mapBounded([...wanted.values()], (s) => this.fga.read({ object: securableCheckObject(s) }), READ_CONCURRENCY)).flat()
        : await this.grantTuplesOfRoles(tenant, roles);
    const roleSet = new Set(roles);
    return (await this.toGrants(tuples, tenant)).filter((g) => roleSet.has(g.role) && wanted.has(refKey(g.securable)));
  }

  async forgetSecurable(securable: SecurableRef): Promise<void> {
    const object = securableCheckObject(securable);
    // Bounded: a concurrent writer could keep adding tuples; what remains is removed by the next drop of a re-used id (ids are never re-used).
    for (let round = 0; round < 20; round++) {
      const tuples = await this.fga.read({ object });
      if (tuples.length === 0) return;
      for (let i = 0; i < tuples.length; i += MAX_TUPLES_PER_WRITE) {
        await this.fga.write(
          [],
          tuples.slice(i, i + MAX_TUPLES_PER_WRITE).map((t) => ({ user: t.key.user, relation: t.key.relation, object: t.key.object })),
        );
      }
    }
  }

  /** The grant tuples the roles hold on securables of these kinds; undefined once one role holds more than `max` of one kind. */
  private async grantTuplesOfRoles(tenant: string, roles: readonly string[]): Promise<Tuple[]>;
  private async grantTuplesOfRoles(tenant: string, roles: readonly string[], kinds: readonly SecurableKind[], max: number): Promise<Tuple[] | undefined>;
  private async grantTuplesOfRoles(
    tenant: string,
    roles: readonly string[],
    kinds: readonly SecurableKind[] = SECURABLE_KINDS,
    max = Infinity,
  ): Promise<Tuple[] | undefined> {
    const reads = roles.flatMap((role) => kinds.map((kind) => ({ user: roleUser(tenant, role), object: `${kind}:` })));
    const found = await mapBounded(reads, (key) => this.fga.readAtMost(key, max), READ_CONCURRENCY);
    return found.some((tuples) => tuples === undefined) ? undefined : found.flatMap((tuples) => tuples!);
  }

  /** Grant tuples of the tenant as records; the warehouse of a namespace, table or view comes from its anchor. */
  private async toGrants(tuples: readonly Tuple[], tenant: string): Promise<GrantRecord[]> {
    const parsed = tuples.flatMap((t) => {
      const privilege = privilegeOfRelation(t.key.relation);
      const role = parseRoleUser(t.key.user);
      const securable = parseSecurableObject(t.key.object);
      return privilege && role && role.tenant === tenant && securable
        ? [{ privilege, role: role.role, securable, createdAtMs: timeOf(t), object: t.key.object }]
        : [];
    });
    const objects = [...new Set(parsed.filter((p) => p.securable.kind !== 'warehouse').map((p) => p.object))];
    const anchors = await mapBounded(objects, (object) => this.fga.read({ object, relation: LOCATED_IN_RELATION }), READ_CONCURRENCY);
    const warehouseOf = new Map<string, string>();
    objects.forEach((object, i) => {
      const w = anchors[i]!.map((t) => parseSecurableObject(t.key.user)).find((r) => r?.kind === 'warehouse');
      if (w) warehouseOf.set(object, w.id);
    });
    return parsed.map((p) => ({
      tenant,
      role: p.role,
      privilege: p.privilege,
      securable: { ...p.securable, warehouse: p.securable.kind === 'warehouse' ? p.securable.id : (warehouseOf.get(p.object) ?? '') },
      createdAtMs: p.createdAtMs,
    }));
  }

  // --- decisions -----------------------------------------------------------------------------

  async check(tenant: string, members: readonly Member[], queries: readonly AccessQuery[], memo?: CheckMemo): Promise<boolean[]> {
    if (members.length === 0 || queries.length === 0) return queries.map(() => false);
    const granted = () => this.grantedObjects(tenant, members);
    const shared = memo && (() => memo.remember(JSON.stringify(['granted', tenant, members]), granted));
    return decideParentsFirst(this.fga, identityTuples(tenant, members), queries, shared ?? granted);
  }

  /**
   * The tables and views any role of the members holds a grant on (their check objects), for parents-first.ts (once per
   * listing walk: check's memo, catalog/access/check-memo.ts and grant-reads.ts); undefined when a role holds more than GRANTED_OBJECTS_MAX of
   * one kind, or the caller has more than GRANTED_OBJECTS_MAX_MEMBERS identities (then the tables are checked one by one).
   */
  private async grantedObjects(tenant: string, members: readonly Member[]): Promise<ReadonlySet<string> | undefined> {
    // One read per identity finds the roles: a caller in many IdP groups is cheaper to check table by table.
    if (members.length > GRANTED_OBJECTS_MAX_MEMBERS) return undefined;
    const tuples = await this.grantTuplesOfRoles(tenant, await this.rolesOf(tenant, members), ['table', 'view'], GRANTED_OBJECTS_MAX);
    return tuples && new Set(tuples.map((t) => t.key.object));
  }

  async isAdmin(tenant: string, members: readonly Member[]): Promise<boolean> {
    if (members.length === 0) return false;
    const object = roleObject(tenant, ADMIN_ROLE_NAME);
    const items = chunked(identityTuples(tenant, members), MAX_CONTEXTUAL).map((chunk) => ({
      user: CALLER,
      relation: ASSIGNEE_RELATION,
      object,
      contextual: chunk,
    }));
    if (items.length === 1) return this.fga.check(items[0]!);
    return (await this.fga.batchCheck(items)).some(Boolean);
  }

  async explain(tenant: string, members: readonly Member[], privilege: Privilege, path: SecurablePath): Promise<GrantRecord[]> {
    const roles = await this.rolesOf(tenant, members);
    if (roles.length === 0) return [];
    const conferring = new Set(grantsConferring(privilege));
    return (await this.grantsOn(tenant, roles, pathElements(path))).filter((g) => conferring.has(g.privilege));
  }
}
