/**
 * The role membership the row/column policies look up (AccessService.rolesOf, on every restricted plan and sign) is
 * cached with the decisions' revocation bound: a change through this process is seen at once, through another
 * process of the same server at its `access` announcement, and on another replica (no announcement reaches it)
 * within cacheTtlMs. Real access control (the in-memory adapter) and a real RBAC authorizer; only the clock is ours.
 */
import { describe, expect, it } from 'vitest';
import { AccessService, type AccessServiceDeps } from '../../packages/server/src/catalog/access/access-service.js';
import type { Coherence, CoherenceTopic } from '../../packages/server/src/catalog/ports/index.js';
import type { Member } from '../../packages/server/src/catalog/ports/access.js';
import { RbacAuthorizer } from '../../packages/server/src/auth/authz/rbac/rbac-authorizer.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';

const TTL = 5_000;
const alice: Member = { kind: 'principal', issuer: '', name: 'alice' };

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

describe('role membership for the policies: cached with the decisions', () => {
  it('sees a revoked and a granted role at once here, at the announcement in a sibling process, within the TTL on another replica', async () => {
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
    const [here, sibling] = linked(2).map(service) as [AccessService, AccessService];
    const replica = service();
    await control.createRole({ tenant: 'default', name: 'analysts', description: '', createdAtMs: 0 });
    await control.addMember({ tenant: 'default', role: 'analysts', member: alice, createdAtMs: 0 });
    for (const s of [here, sibling, replica]) expect(await s.rolesOf('default', [alice])).toEqual(['analysts']);

    // Revoked through `here` (AccessAdmin.removeMember: the store, then access.invalidate()).
    await control.removeMember('default', 'analysts', alice);
    here.invalidate();
    expect(await here.rolesOf('default', [alice])).toEqual([]);
    expect(await sibling.rolesOf('default', [alice])).toEqual([]);
    // The replica answers from its cache until the bound, then reads again.
    expect(await replica.rolesOf('default', [alice])).toEqual(['analysts']);
    now += TTL - 1;
    expect(await replica.rolesOf('default', [alice])).toEqual(['analysts']);
    now += 1;
    expect(await replica.rolesOf('default', [alice])).toEqual([]);

    // Granted again through the sibling: the same bound the other way.
    await control.addMember({ tenant: 'default', role: 'analysts', member: alice, createdAtMs: now });
    sibling.invalidate();
    expect(await sibling.rolesOf('default', [alice])).toEqual(['analysts']);
    expect(await here.rolesOf('default', [alice])).toEqual(['analysts']);
    expect(await replica.rolesOf('default', [alice])).toEqual([]);
    now += TTL;
    expect(await replica.rolesOf('default', [alice])).toEqual(['analysts']);
  });

  it('keeps nothing read before a change made while the read was on its way, and keys by tenant and members', async () => {
    const control = new MemoryAccessControl();
    const clock = { now: () => 0 };
    const s = new AccessService({ authorizer: new RbacAuthorizer(control, TTL, clock.now), control, clock, cacheTtlMs: TTL } as unknown as AccessServiceDeps);
    await control.createRole({ tenant: 'default', name: 'analysts', description: '', createdAtMs: 0 });
    await control.addMember({ tenant: 'default', role: 'analysts', member: alice, createdAtMs: 0 });
    // A read racing a revocation: its answer (read before the change) must not be cached past the invalidation.
    const racing = s.rolesOf('default', [alice]);
    await control.removeMember('default', 'analysts', alice);
    s.invalidate();
    await racing;
    expect(await s.rolesOf('default', [alice])).toEqual([]);
    await control.addMember({ tenant: 'other', role: 'analysts', member: alice, createdAtMs: 0 });
    expect(await s.rolesOf('other', [alice])).toEqual(['analysts']);
    expect(await s.rolesOf('default', [alice])).toEqual([]);
    expect(await s.rolesOf('default', [])).toEqual([]);
  });
});
