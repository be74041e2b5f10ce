/**
 * Tenant events on PostgreSQL (Debian's postgresql package, started by this file on 127.0.0.1): the tenant events
 * contract (role, member, grant and principal changes commit with their events; a failed transaction keeps neither),
 * and two concurrent role changes of one tenant: the second waits on the tenant's counter row until the first
 * commits, so the tenant's sequence follows commit order.
 */
import { describe, expect, it } from 'vitest';
import { tenantEvent, tenantStream } from '../../packages/server/src/catalog/outbox/tenant-events.js';
import { tenantEventsContract } from '../persistence/tenant-events-contract.js';
import { expectAppendWaitsForCommit } from '../support/commit-order.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

const cluster = usePostgresCluster('lakegate-pg-tenant-events-');
const open = () => cluster.migratedStore('tenant_events');

tenantEventsContract('PostgreSQL', async () => {
  const store = await open();
  return { control: store.access, outbox: store.outbox, identity: store.identity, close: () => store.close() };
});

describe('tenant sequences on PostgreSQL', () => {
  it('makes a second change of a tenant wait for the first to commit, so sequence order is commit order', async () => {
    const store = await open();
    try {
      let n = 0;
      const ctx = { newUuid: () => `00000000-0000-4000-a000-${String(++n).padStart(12, '0')}`, clock: { now: () => Date.now() } };
      const caller = { principal: 'admin', kind: 'principal' };
      await expectAppendWaitsForCommit(
        (held) =>
          store.access.withEvents(async (c, o) => {
            await c.createRole({ tenant: 'acme', name: 'first', description: '', createdAtMs: 1 });
            await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'role.created', subject: 'role/first' })]);
            await held;
          }),
        (appended) =>
          store.identity.withEvents(async (_repo, o) => {
            await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'principal.disabled', subject: 'principal/x' })]);
            appended();
          }),
      );
      expect((await store.outbox.list(tenantStream('acme'), 0, 10)).map((e) => [e.sequence, e.subject])).toEqual([
        [1, 'role/first'],
        [2, 'principal/x'],
      ]);
    } finally {
      await store.close();
    }
  });
});
