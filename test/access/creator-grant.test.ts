/**
 * AccessService.creatorGrant (catalog/access/creator-ownership.ts), over the in-memory AccessControl and the built-in
 * decider: where grants live in the catalog database, record() writes the owner grant through the transaction's
 * access port and nothing is audited before committed(); where they live elsewhere (OpenFGA), record() writes nothing
 * and committed() writes the grant through the adapter, and a failure there is audited as access.owner-grant-failed
 * and fails the request (docs/authorization.md).
 */
import { describe, expect, it } from 'vitest';
import type { AccessDecisionRecord, Caller, Warehouse } from '../../packages/server/src/catalog/ports/index.js';
import type { AccessControl, GrantRecord } from '../../packages/server/src/catalog/ports/access.js';
import { AccessService } from '../../packages/server/src/catalog/access/access-service.js';
import { RbacAuthorizer } from '../../packages/server/src/auth/authz/rbac/rbac-authorizer.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';

const warehouse: Warehouse = { name: 'lake', tenant: 'default', storageRoot: 'file:///lake', properties: {}, createdAtMs: 0, storageProfile: {} };
const maker: Caller = { tenant: 'default', description: 'principal maker', key: 'maker', members: [{ kind: 'principal', issuer: '', name: 'maker' }], admin: false, unrestricted: false };
const table = { kind: 'table' as const, id: 't-1' };
const tablePath = { warehouse: 'lake', namespaces: ['ns-1'], object: table };

/** Fails every grant write, as an unreachable OpenFGA would. */
class FailingGrants extends MemoryAccessControl {
  override async grant(_g: GrantRecord): Promise<boolean> {
    throw new Error('grant store unreachable');
  }
}

function service(control: AccessControl, grantsInCatalog: boolean) {
  const audited: AccessDecisionRecord[] = [];
  const authorizer = new RbacAuthorizer(control, 0, () => 0);
  const access = new AccessService({
    authorizer,
    control,
    grantsInCatalog,
    repository: () => {
      throw new TypeError('not used');
    },
    audit: { record: async (_caller, record) => void audited.push(record) },
    clock: { now: () => 0 },
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
    await owner.record({ access: tx }, table, 'lake/ns.t');
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

  it('is written through the adapter after the commit when grants live elsewhere (OpenFGA)', async () => {
    const control = new MemoryAccessControl();
    const { access, audited, authorizer } = service(control, false);
    const tx = new MemoryAccessControl();
    const owner = await access.creatorGrant({ warehouse, caller: maker });
    await owner.record({ access: tx }, table, 'lake/ns.t');
    expect(await tx.listGrants({ tenant: 'default' })).toEqual([]);
    await owner.committed();
    expect(await authorizer.check('default', maker.members, [{ privilege: 'table:write-data', path: tablePath }])).toEqual([true]);
    expect(ownerGrants(audited)).toHaveLength(1);
  });

  it('that fails outside the catalog database is audited as access.owner-grant-failed and fails the request', async () => {
    const { access, audited } = service(new FailingGrants(), false);
    const owner = await access.creatorGrant({ warehouse, caller: maker });
    await owner.record({ access: new MemoryAccessControl() }, table, 'lake/ns.t');
    await expect(owner.committed()).rejects.toThrow('grant store unreachable');
    expect(audited).toEqual([expect.objectContaining({ type: 'access.owner-grant-failed', object: 'lake/ns.t', action: 'table:own' })]);
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
      await owner.record({ access: tx }, table, 'lake/ns.t');
      await owner.committed();
    }
    expect(await tx.listRoles()).toEqual([]);
    expect(audited).toEqual([]);
  });
});
