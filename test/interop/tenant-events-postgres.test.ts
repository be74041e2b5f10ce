/**
 * Tenant events on PostgreSQL (Debian's postgresql package, started by this file on 127.0.0.1): the tenant events
 * contract (role, member, grant and principal changes commit with their events; a failed transaction keeps neither),
 * and two concurrent role changes of one tenant: the second waits on the tenant's counter row until the first
 * commits, so the tenant's sequence follows commit order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresCatalogStore } from '../../packages/server/src/persistence/postgres/postgres-store.js';
import { tenantEvent, tenantStream } from '../../packages/server/src/catalog/outbox/tenant-events.js';
import { tenantEventsContract } from '../persistence/tenant-events-contract.js';
import { type Postgres, startPostgres } from '../support/peers.js';
import { freePort, tempDir } from '../support/temp.js';

const pgDir = tempDir('lakegate-pg-tenant-events-');
let pg: Postgres;
let dbCounter = 0;

beforeAll(async () => {
  pg = startPostgres(`${pgDir.dir}/cluster`, await freePort());
}, 300_000);
afterAll(() => {
  pg?.stop();
  pgDir.cleanup();
});

const open = async () => {
  const store = new PostgresCatalogStore({ connectionString: pg.createDatabase(`tenant_events_${dbCounter++}`) });
  await store.migrate();
  return store;
};

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
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let firstDone = false;
      let secondAppended = false;
      const t1 = store.access
        .withEvents(async (c, o) => {
          await c.createRole({ tenant: 'acme', name: 'first', description: '', createdAtMs: 1 });
          await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'role.created', subject: 'role/first' })]);
          await gate;
        })
        .then(() => (firstDone = true));
      await new Promise((r) => setTimeout(r, 200));
      const t2 = store.identity.withEvents(async (repo, o) => {
        await o.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'principal.disabled', subject: 'principal/x' })]);
        secondAppended = true;
        expect(firstDone).toBe(true);
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(secondAppended).toBe(false);
      release();
      await Promise.all([t1, t2]);
      expect((await store.outbox.list(tenantStream('acme'), 0, 10)).map((e) => [e.sequence, e.subject])).toEqual([
        [1, 'role/first'],
        [2, 'principal/x'],
      ]);
    } finally {
      await store.close();
    }
  });
});
