/**
 * AccessService.creatorGrant (catalog/access/creator-ownership.ts), over the in-memory AccessControl and the built-in
 * decider: where grants live in the catalog database, record() writes the owner grant through the transaction's
 * access port and nothing is audited before committed(); where they live elsewhere (OpenFGA), record() writes a
 * pending owner grant in the transaction and committed() writes the grant through the adapter and removes it; a
 * failure there is audited as access.owner-grant-failed, fails the request, and the recovery writes the grant later.
 */
import { describe, expect, it } from 'vitest';
import type { AccessDecisionRecord, Caller, Warehouse } from '../../packages/server/src/catalog/ports/index.js';
import type { AccessControl, GrantRecord } from '../../packages/server/src/catalog/ports/access.js';
import { AccessService } from '../../packages/server/src/catalog/access/access-service.js';
import { RbacAuthorizer } from '../../packages/server/src/auth/authz/rbac/rbac-authorizer.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';
import { MemoryPendingOwnerGrants } from '../../packages/server/src/persistence/memory/memory-pending-owner-grants.js';

const warehouse: Warehouse = { name: 'lake', tenant: 'default', storageRoot: 'file:///lake', properties: {}, createdAtMs: 0, storageProfile: {} };
const maker: Caller = {
  tenant: 'default',
  description: 'principal maker',
  key: 'maker',
  members: [{ kind: 'principal', issuer: '', name: 'maker' }],
  admin: false,
  unrestricted: false,
};
const table = { kind: 'table' as const, id: 't-1' };
const tablePath = { warehouse: 'lake', namespaces: ['ns-1'], object: table };

/** Fails every grant write while `down`, as an unreachable OpenFGA would. */
class FailingGrants extends MemoryAccessControl {
  down = true;
  override async grant(g: GrantRecord): Promise<boolean> {
    if (this.down) throw new Error('grant store unreachable');
    return super.grant(g);
  }
}

function service(control: AccessControl, grantsInCatalog: boolean, pending = new MemoryPendingOwnerGrants(), clock = { now: () => 0 }) {
  const audited: AccessDecisionRecord[] = [];
  const authorizer = new RbacAuthorizer(control, 0, () => 0);
  const access = new AccessService({
    authorizer,
    control,
    grantsInCatalog,
    pendingOwnerGrants: () => pending,
    repository: () => {
      throw new TypeError('not used');
    },
    audit: { record: async (_caller, record) => void audited.push(record) },
    clock,
    cacheTtlMs: 0,
  });
  return { access, audited, authorizer };
}

const ownerGrants = (audited: AccessDecisionRecord[]) => audited.filter((a) => a.type === 'access.owner-granted');

describe("a creator's owner grant", () => {
  it("is written through the transaction's access port when grants are in the catalog database, audited only once committed", async () => {
    const control = new MemoryAccessControl();
    const { access, audited, authorizer } = service(control, true);
    const tx = new MemoryAccessControl();
    const owner = await access.creatorGrant({ warehouse, caller: maker });
    await owner.record({ access: tx, ownerGrants: new MemoryPendingOwnerGrants() }, table, 'lake/ns.t');
    // In the transaction's port, not through the service's own connection, and nothing said about it yet.
    expect((await tx.listGrants({ tenant: 'default' })).map((g) => g.privilege)).toContain('table:read-data');
    expect(await control.listGrants({ tenant: 'default' })).toEqual([]);
    expect(audited).toEqual([]);
    await owner.committed();
    expect(ownerGrants(audited)).toEqual([expect.objectContaining({ object: 'lake/ns.t', action: 'table:own' })]);
    // What the transaction wrote is what the decider reads once it committed (here: the same store).
    expect(await new RbacAuthorizer(tx, 0, () => 0).check('default', maker.members, [{ privilege: 'table:write-data', path: tablePath }])).toEqual([true]);
    expect(await authorizer.check('default', maker.members, [{ privilege: 'table:write-data', path: tablePath }])).toEqual([false]);
  });

  it('is recorded pending in the transaction and written through the adapter after the commit when grants live elsewhere (OpenFGA)', async () => {
    const control = new MemoryAccessControl();
    const pending = new MemoryPendingOwnerGrants();
    const { access, audited, authorizer } = service(control, false, pending);
    const tx = new MemoryAccessControl();
    const owner = await access.creatorGrant({ warehouse, caller: maker });
    await owner.record({ access: tx, ownerGrants: pending }, table, 'lake/ns.t');
    expect(await tx.listGrants({ tenant: 'default' })).toEqual([]);
    expect(await pending.pending(1, 10)).toEqual([
      expect.objectContaining({ tenant: 'default', warehouse: 'lake', member: maker.members[0], securable: table, object: 'lake/ns.t' }),
    ]);
    await owner.committed();
    expect(await authorizer.check('default', maker.members, [{ privilege: 'table:write-data', path: tablePath }])).toEqual([true]);
    expect(await pending.pending(1, 10)).toEqual([]);
    expect(ownerGrants(audited)).toHaveLength(1);
  });

  it('that fails outside the catalog database is audited as access.owner-grant-failed, fails the request, and is written by the recovery', async () => {
    const failing = new FailingGrants();
    const pending = new MemoryPendingOwnerGrants();
    let now = 1_000;
    const clock = { now: () => now };
    const { access, audited } = service(failing, false, pending, clock);
    const owner = await access.creatorGrant({ warehouse, caller: maker });
    await owner.record({ access: new MemoryAccessControl(), ownerGrants: pending }, table, 'lake/ns.t');
    await expect(owner.committed()).rejects.toThrow('grant store unreachable');
    expect(audited).toEqual([expect.objectContaining({ type: 'access.owner-grant-failed', object: 'lake/ns.t', action: 'table:own' })]);
    expect(await pending.pending(now + 1, 10)).toHaveLength(1);
    // Still unreachable: the recovery fails and keeps it.
    now += 200_000;
    await expect(access.recoverOwnerGrants(120_000)).rejects.toThrow('grant store unreachable');
    expect(await pending.pending(now, 10)).toHaveLength(1);
    // Reachable again (the adapter now writes): granted once, audited once, the pending record gone.
    failing.down = false;
    expect(await access.recoverOwnerGrants(120_000)).toBe(1);
    expect(await access.recoverOwnerGrants(120_000)).toBe(0);
    expect(await pending.pending(now, 10)).toEqual([]);
    expect(await new RbacAuthorizer(failing, 0, () => 0).check('default', maker.members, [{ privilege: 'table:write-data', path: tablePath }])).toEqual([true]);
    expect(ownerGrants(audited)).toEqual([expect.objectContaining({ object: 'lake/ns.t', detail: expect.objectContaining({ recovered: true }) })]);
  });

  it('is left to the request that is still writing it: the recovery takes only grants older than its bound', async () => {
    const pending = new MemoryPendingOwnerGrants();
    const { access } = service(new MemoryAccessControl(), false, pending, { now: () => 5_000 });
    const owner = await access.creatorGrant({ warehouse, caller: maker });
    await owner.record({ access: new MemoryAccessControl(), ownerGrants: pending }, table, 'lake/ns.t');
    expect(await access.recoverOwnerGrants(120_000)).toBe(0);
    expect(await pending.pending(10_000, 10)).toHaveLength(1);
  });

  it('is nothing for an administrator, without authentication, or where the warehouse switches it off', async () => {
    const control = new MemoryAccessControl();
    const { access, audited } = service(control, true);
    const tx = new MemoryAccessControl();
    for (const [caller, wh] of [
      [{ ...maker, admin: true }, warehouse],
      [{ ...maker, unrestricted: true }, warehouse],
      [maker, { ...warehouse, properties: { 'access.creator-owns': 'false' } }],
    ] as Array<[Caller, Warehouse]>) {
      const owner = await access.creatorGrant({ warehouse: wh, caller });
      await owner.record({ access: tx, ownerGrants: new MemoryPendingOwnerGrants() }, table, 'lake/ns.t');
      await owner.committed();
    }
    expect(await tx.listRoles()).toEqual([]);
    expect(audited).toEqual([]);
  });
});
