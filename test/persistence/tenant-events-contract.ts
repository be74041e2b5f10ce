/**
 * The contract of tenant events (catalog/outbox/tenant-events.ts) on every store: a role, member or grant change and
 * its events commit together through AccessControl.withEvents, a principal's through IdentityRepository.withEvents;
 * when the change's function throws after writing its event (a crash before COMMIT), neither the change nor the event
 * is kept, and no sequence number is used up. A tenant's events form their own stream, numbered from 1, apart from
 * other tenants' and from every warehouse's. Memory and SQLite: tenant-events.test.ts; PostgreSQL:
 * test/interop/tenant-events-postgres.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AccessControl } from '../../packages/server/src/catalog/ports/access.js';
import type { OutboxStore } from '../../packages/server/src/catalog/ports/outbox.js';
import { tenantEvent, tenantStream } from '../../packages/server/src/catalog/outbox/tenant-events.js';
import type { IdentityRepository, ServicePrincipal } from '../../packages/server/src/auth/ports.js';
import { storeOpener } from './contract-harness.js';

export interface TenantEventsHandle {
  control: AccessControl;
  outbox: OutboxStore;
  /** Absent where the store keeps no principals (the memory reference). */
  identity?: IdentityRepository | undefined;
  close(): Promise<void>;
}

let n = 0;
const ctx = { newUuid: () => `00000000-0000-4000-9000-${String(++n).padStart(12, '0')}`, clock: { now: () => 1_700_000_000_000 + n } };
const caller = { principal: 'admin-1', kind: 'principal' };
const crash = new Error('injected crash after the outbox write, before COMMIT');

const principal = (clientId: string, tenant: string): ServicePrincipal => ({
  clientId,
  name: clientId,
  tenant,
  secretHash: 'not-a-real-hash',
  secretVersion: 1,
  roles: [],
  delegation: { users: [], groups: [], assertIdentity: false },
  disabled: false,
  createdAtMs: 1,
});

/** `principals: false` for a store that keeps no principals (the memory reference): those tests are not registered. */
export function tenantEventsContract(name: string, open: () => Promise<TenantEventsHandle>, options: { principals?: boolean } = {}): void {
  describe(`tenant events contract: ${name}`, () => {
    const withStore = storeOpener(open);

    it(
      'commits a role change with its event, numbered per tenant from 1, apart from other tenants and warehouses',
      withStore(async (h) => {
        const role = (tenant: string, name: string) => ({ tenant, name, description: '', createdAtMs: 5 });
        await h.control.withEvents(async (c, o) => {
          expect(await c.createRole(role('acme', 'analyst'))).toBe(true);
          await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'role.created', subject: 'role/analyst', data: { role: 'analyst' } })]);
        });
        await h.control.withEvents(async (c, o) => {
          expect(await c.addMember({ tenant: 'acme', role: 'analyst', member: { kind: 'principal', issuer: '', name: 'p1' }, createdAtMs: 6 })).toBe(true);
          await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'role.member-added', subject: 'role/analyst', data: { role: 'analyst' } })]);
        });
        await h.control.withEvents(async (c, o) => {
          await c.createRole(role('other', 'analyst'));
          await o.appendEvents([tenantEvent(ctx, 'other', caller, { kind: 'role.created', subject: 'role/analyst' })]);
        });
        const acme = await h.outbox.list(tenantStream('acme'), 0, 10);
        expect(acme.map((e) => [e.sequence, e.type, e.subject, e.partitionKey])).toEqual([
          [1, 'io.lakegate.role.created', 'role/analyst', 'acme'],
          [2, 'io.lakegate.role.member-added', 'role/analyst', 'acme'],
        ]);
        expect(acme[0]!.data).toEqual({ tenant: 'acme', caller, role: 'analyst' });
        expect((await h.outbox.list(tenantStream('other'), 0, 10)).map((e) => e.sequence)).toEqual([1]);
        expect(await h.outbox.head(tenantStream('acme'))).toBe(2);
        // A warehouse named like the tenant has a stream of its own (warehouse names cannot hold "/").
        expect(await h.outbox.head('acme')).toBe(0);
        expect(await h.control.getRole('acme', 'analyst')).toBeDefined();
        expect((await h.control.listMembers('acme', 'analyst')).length).toBe(1);
      }),
    );

    it(
      'keeps neither the change nor its event when the transaction fails after the outbox write, and uses no number',
      withStore(async (h) => {
        await h.control.withEvents(async (c, o) => {
          await c.createRole({ tenant: 't', name: 'kept', description: '', createdAtMs: 1 });
          await o.appendEvents([tenantEvent(ctx, 't', caller, { kind: 'role.created', subject: 'role/kept' })]);
        });
        await expect(
          h.control.withEvents(async (c, o) => {
            await c.createRole({ tenant: 't', name: 'lost', description: '', createdAtMs: 2 });
            await c.grant({
              tenant: 't',
              role: 'kept',
              privilege: 'table:read-data',
              securable: { kind: 'warehouse', id: 'w', warehouse: 'w' },
              createdAtMs: 2,
            });
            await o.appendEvents([tenantEvent(ctx, 't', caller, { kind: 'role.created', subject: 'role/lost' })]);
            throw crash;
          }),
        ).rejects.toThrow(crash.message);
        expect(await h.control.getRole('t', 'lost')).toBeUndefined();
        expect(await h.control.listGrants({ tenant: 't' })).toEqual([]);
        expect((await h.outbox.list(tenantStream('t'), 0, 10)).map((e) => e.subject)).toEqual(['role/kept']);
        expect(await h.outbox.head(tenantStream('t'))).toBe(1);
        // A role deleted with its event; the next number follows the last committed one.
        expect(
          await h.control.withEvents(async (c, o) => {
            const r = await c.deleteRole('t', 'kept');
            await o.appendEvents([tenantEvent(ctx, 't', caller, { kind: 'role.deleted', subject: 'role/kept' })]);
            return r;
          }),
        ).toBe('deleted');
        expect((await h.outbox.list(tenantStream('t'), 0, 10)).map((e) => [e.sequence, e.type])).toEqual([
          [1, 'io.lakegate.role.created'],
          [2, 'io.lakegate.role.deleted'],
        ]);
      }),
    );

    if (options.principals === false) return;
    it(
      'commits a principal change with its event, and keeps neither when the transaction fails',
      withStore(async (h) => {
        const identity = h.identity!;
        await identity.withEvents(async (repo, o) => {
          expect(await repo.insertPrincipal(principal('p-kept', 'acme'))).toBe(true);
          await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'principal.created', subject: 'principal/p-kept', data: { 'client-id': 'p-kept' } })]);
        });
        await expect(
          identity.withEvents(async (repo, o) => {
            await repo.insertPrincipal(principal('p-lost', 'acme'));
            await repo.setPrincipalDisabled('p-kept', true, 1000);
            await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'principal.created', subject: 'principal/p-lost' })]);
            throw crash;
          }),
        ).rejects.toThrow(crash.message);
        expect(await identity.getPrincipal('p-lost')).toBeUndefined();
        expect((await identity.getPrincipal('p-kept'))?.disabled).toBe(false);
        await identity.withEvents(async (repo, o) => {
          await repo.setPrincipalDisabled('p-kept', true, 1000);
          await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'principal.disabled', subject: 'principal/p-kept' })]);
        });
        expect((await identity.getPrincipal('p-kept'))?.disabled).toBe(true);
        expect((await h.outbox.list(tenantStream('acme'), 0, 10)).map((e) => [e.sequence, e.type])).toEqual([
          [1, 'io.lakegate.principal.created'],
          [2, 'io.lakegate.principal.disabled'],
        ]);
      }),
    );
  });
}
