/**
 * What the authorizer reads about a caller for a listing (AccessService.listingMemo, access/grant-reads.ts) serves
 * the caller's next page requests within the decisions' revocation bound: dropped at once by a change through this
 * process and by a sibling's `access` announcement, read again on another replica (no announcement reaches it) once
 * cacheTtlMs has passed, and never served to another caller. Real access control and RBAC authorizer; our clock.
 * And the bounds do not add up: a denial decided from kept grants is kept in the decision cache only as long as they are.
 */
import { describe, expect, it } from 'vitest';
import { AccessService, type AccessServiceDeps } from '../../packages/server/src/catalog/access/access-service.js';
import type { Caller, Coherence, CoherenceTopic, Warehouse } from '../../packages/server/src/catalog/ports/index.js';
import type { AccessQuery, Authorizer, CheckMemo, Member } from '../../packages/server/src/catalog/ports/access.js';
import { RbacAuthorizer } from '../../packages/server/src/auth/authz/rbac/rbac-authorizer.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';

const TTL = 5_000;
const member = (name: string): Member => ({ kind: 'principal', issuer: '', name });
const callerOf = (name: string, tenant = 'default') => ({ tenant, members: [member(name)] }) as unknown as Caller;
const warehouse = (name: string) => ({ name, properties: {} }) as unknown as Warehouse;

/** Processes of one server: what one announces, the others hear (never itself), as cluster/worker-link.ts does. */
function linked(count: number): Coherence[] {
  const handlers = Array.from({ length: count }, () => new Map<CoherenceTopic, ((key: string | undefined) => void)[]>());
  return handlers.map((own) => ({
    announce: (topic, key) => {
      for (const other of handlers) if (other !== own) for (const h of other.get(topic) ?? []) h(key);
    },
    on: (topic, h) => void own.set(topic, [...(own.get(topic) ?? []), h]),
    runExclusive: (_keys, fn) => fn(),
    claim: (_key, fn) => fn(),
  }));
}

/** Every read the authorizer would make, counted (one memo per listing request, as kit/listing.ts takes it). */
function reader() {
  let reads = 0;
  const list = (s: AccessService, caller: Caller, wh = 'lake') => s.listingMemo({ caller, warehouse: warehouse(wh) }).remember('granted', async () => ++reads);
  return { list, reads: () => reads };
}

describe('a listing’s reads of the caller’s grants, across its page requests', () => {
  let now = 0;
  const clock = { now: () => now };
  const control = new MemoryAccessControl();
  const service = (coherence?: Coherence) =>
    new AccessService({
      authorizer: new RbacAuthorizer(control, TTL, clock.now),
      control,
      clock,
      cacheTtlMs: TTL,
      ...(coherence ? { coherence } : {}),
    } as unknown as AccessServiceDeps);

  it('reads once for the pages of a walk, again at once after a change here or in a sibling process, and within the bound on another replica', async () => {
    const [here, sibling] = linked(2).map(service) as [AccessService, AccessService];
    const replica = service();
    const alice = callerOf('alice');
    const r = reader();
    // Three page requests of one walk on each: one read each.
    for (const s of [here, sibling, replica]) for (let page = 0; page < 3; page++) await r.list(s, alice);
    expect(r.reads()).toBe(3);

    // A grant revoked through `here` (AccessAdmin: the store, then access.invalidate()): read again here and in the sibling.
    here.invalidate();
    expect([await r.list(here, alice), await r.list(sibling, alice)]).toEqual([4, 5]);
    // The replica hears nothing: its walk's read serves until the bound, then it reads again.
    now += TTL - 1;
    expect(await r.list(replica, alice)).toBe(3);
    now += 1;
    expect(await r.list(replica, alice)).toBe(6);
    expect(await r.list(replica, alice)).toBe(6);
  });

  it('never serves a read to another caller, another tenant or another warehouse', async () => {
    const s = service();
    const r = reader();
    expect(await r.list(s, callerOf('alice'))).toBe(1);
    expect(await r.list(s, callerOf('bob'))).toBe(2);
    expect(await r.list(s, callerOf('alice', 'other'))).toBe(3);
    expect(await r.list(s, callerOf('alice'), 'sandbox')).toBe(4);
    expect(await r.list(s, { tenant: 'default', members: [member('alice'), { kind: 'group', issuer: 'idp', name: 'eng' }] } as unknown as Caller)).toBe(5);
    expect([await r.list(s, callerOf('alice')), await r.list(s, callerOf('bob'))]).toEqual([1, 2]);
  });
});

/** An authorizer that decides as OpenFGA's parents-first does under a parent that denies: a table is allowed only by a
 * grant on itself, and one outside the caller's granted set (read through the listing's memo) is denied unchecked. */
class GrantedSetAuthorizer implements Authorizer {
  readonly grants = new Set<string>();
  calls = 0;
  async check(_tenant: string, _members: readonly Member[], queries: readonly AccessQuery[], memo?: CheckMemo): Promise<boolean[]> {
    this.calls++;
    const read = async () => new Set(this.grants);
    const granted = memo ? await memo.remember('granted', read) : await read();
    // Skipped when not in the set; a fresh check (the grants now) for the others.
    return queries.map((q) => granted.has(q.path.object!.id) && this.grants.has(q.path.object!.id));
  }
  async isAdmin(): Promise<boolean> {
    return false;
  }
  async explain(): Promise<never[]> {
    return [];
  }
}

describe('a listing’s denials and the decision cache', () => {
  it('sees a grant made on another replica within cacheTtlMs of the walk’s read, not cacheTtlMs after its last page', async () => {
    let now = 0;
    const authorizer = new GrantedSetAuthorizer();
    const replica = new AccessService({
      authorizer,
      control: new MemoryAccessControl(),
      clock: { now: () => now },
      cacheTtlMs: TTL,
    } as unknown as AccessServiceDeps);
    const scope = { caller: callerOf('alice'), warehouse: warehouse('lake') };
    const path = (id: string) => ({ warehouse: 'lake', namespaces: ['ns'], object: { kind: 'table' as const, id } });
    // One page request: a table of the page, decided with the listing's memo.
    const page = async (id: string) => (await replica.allows(scope, [{ privilege: 'table:read-metadata', path: path(id) }], replica.listingMemo(scope)))[0];
    authorizer.grants.add('t1');
    expect([await page('t1'), await page('t2')]).toEqual([true, false]);
    // Decisions are kept from their second sighting (the decision cache's doorkeeper), denials from kept grants too.
    expect([await page('t1'), await page('t2')]).toEqual([true, false]);
    const calls = authorizer.calls;
    now = 1;
    expect([await page('t1'), await page('t2')]).toEqual([true, false]);
    expect(authorizer.calls).toBe(calls);
    // Granted through another replica (no announcement reaches this one): t2, and t3, which no page had asked yet.
    authorizer.grants.add('t2');
    authorizer.grants.add('t3');
    now = TTL - 1;
    // Within the bound, the walk's kept grants (read at 0) deny both; t3's denial, decided now, is cached as of 0.
    expect([await page('t2'), await page('t3'), await page('t3')]).toEqual([false, false, false]);
    now = TTL;
    // Read again: both show (t3's denial was not kept until 2 × TTL - 1, it expired with the grants it came from).
    expect([await page('t2'), await page('t3')]).toEqual([true, true]);
    authorizer.grants.delete('t1'); // revoked through another replica
    now = 2 * TTL;
    expect(await page('t1')).toBe(false);
  });
});
