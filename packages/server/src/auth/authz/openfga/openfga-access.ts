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
 * Decisions (check, isAdmin, explain): openfga-decisions.ts; roles and grants read back from tuples: grant-reads.ts.
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
} from '../../../catalog/ports/access.js';
import type { Privilege } from '../../../catalog/privileges.js';
import { mapBounded } from '../../../catalog/bounded.js';
import type { OutboxEventInput, OutboxWriter } from '../../../catalog/ports/outbox.js';
import type { EventIntent, EventIntentStore, ExternalWrite, IntentResolver } from '../../../catalog/ports/intents.js';
import { resolveIntent } from '../../../catalog/outbox/intent-recovery.js';
import { ConfigError } from '../../../config/config.js';
import { isCatalogError } from '../../../errors/catalog-error.js';
import { FgaClient, MAX_TUPLES_PER_WRITE, type FgaCallCounts } from './fga-client.js';
import { memberObject, memberUser, parseMemberUser, roleObject, roleUser, securableCheckObject, securableObject } from './ids.js';
import { ASSIGNEE_RELATION, LOCATED_IN_RELATION, SECURABLE_KINDS, relationOf } from './model.js';
import { ensureModel, findOrCreateStore } from './store-setup.js';
import { byKey, timeOf } from './check-tuples.js';
import * as decisions from './openfga-decisions.js';
import { grantTuplesOfRoles, grantsOn, rolesOf, toGrants } from './grant-reads.js';

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

  rolesOf(tenant: string, members: readonly Member[]): Promise<string[]> {
    return rolesOf(this.fga, tenant, members);
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
      tuples = await grantTuplesOfRoles(this.fga, q.tenant, roles);
    }
    const grants = (await toGrants(this.fga, tuples, q.tenant)).filter(
      (g) => (q.role === undefined || g.role === q.role) && (q.warehouse === undefined || g.securable.warehouse === q.warehouse),
    );
    return grants.sort(byKey((g) => `${g.role}\u0000${g.securable.kind}\u0000${g.securable.id}\u0000${g.privilege}`));
  }

  grantsOn(tenant: string, roles: readonly string[], securables: readonly SecurableRef[]): Promise<GrantRecord[]> {
    return grantsOn(this.fga, tenant, roles, securables);
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

  // --- decisions (openfga-decisions.ts) --------------------------------------------------------

  check(tenant: string, members: readonly Member[], queries: readonly AccessQuery[], memo?: CheckMemo): Promise<boolean[]> {
    return decisions.check(this.fga, tenant, members, queries, memo);
  }

  isAdmin(tenant: string, members: readonly Member[]): Promise<boolean> {
    return decisions.isAdmin(this.fga, tenant, members);
  }

  explain(tenant: string, members: readonly Member[], privilege: Privilege, path: SecurablePath): Promise<GrantRecord[]> {
    return decisions.explain(this.fga, tenant, members, privilege, path);
  }
}
