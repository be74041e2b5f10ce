/**
 * Role member and grant events with OpenFGA (a real `openfga` server, scripts/peers/openfga.sh): the tuples live
 * outside the catalog database, so OpenFgaAccess.withEvents writes them first and the events after, in a transaction
 * of the role store (docs/events.md). Proven here, both ways: a change that failed writes no event; and the window
 * that stays open, stated as a test so that it cannot silently change: when the event write fails after the tuple was
 * written, the member holds the role and no event says so (the audit trail has it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFgaAccess } from '../../packages/server/src/auth/authz/openfga/openfga-access.js';
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';
import { MemoryOutbox } from '../../packages/server/src/persistence/memory/memory-outbox.js';
import { tenantEvent, tenantStream } from '../../packages/server/src/catalog/outbox/tenant-events.js';
import type { OutboxEventInput } from '../../packages/server/src/catalog/outbox/ports.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';

let fga: OpenFga;
beforeAll(async () => {
  fga = await startOpenFga();
});
afterAll(async () => {
  await fga?.stop();
});

let n = 0;
const ctx = { newUuid: () => `00000000-0000-4000-b000-${String(++n).padStart(12, '0')}`, clock: { now: () => Date.now() } };
const caller = { principal: 'admin', kind: 'principal' };
const member = { kind: 'principal' as const, issuer: '', name: 'etl-1' };
const added = (role: string): OutboxEventInput => tenantEvent(ctx, 'acme', caller, { kind: 'role.member-added', subject: `role/${role}`, data: { role } });

async function open(outbox = new MemoryOutbox()) {
  const roles = new MemoryAccessControl(outbox);
  const access = await OpenFgaAccess.connect({ url: fga.url, storeId: await fga.createStore(), token: '', roles });
  await access.createRole({ tenant: 'acme', name: 'readers', description: '', createdAtMs: 1 });
  return { access, outbox };
}

describe('tenant events with OpenFGA', () => {
  it('writes the tuple, then its event; a change that failed writes no event', async () => {
    const { access, outbox } = await open();
    await access.withEvents(async (control, o) => {
      expect(await control.addMember({ tenant: 'acme', role: 'readers', member, createdAtMs: 2 })).toBe(true);
      await o.appendEvents([added('readers')]);
      // Not yet in the outbox: the events follow fn's writes.
      expect(await outbox.head(tenantStream('acme'))).toBe(0);
    });
    expect((await outbox.list(tenantStream('acme'), 0, 10)).map((e) => e.type)).toEqual(['io.lakegate.role.member-added']);
    // A change that fails (here: after appending its event, as a later write of a multi-privilege grant would) has none.
    await expect(
      access.withEvents(async (control, o) => {
        await o.appendEvents([added('readers')]);
        await control.removeMember('acme', 'readers', member);
        throw new Error('a later write of the change failed');
      }),
    ).rejects.toThrow('a later write of the change failed');
    expect(await outbox.head(tenantStream('acme'))).toBe(1);
  });

  it('loses the event, never the change, when the event write fails after the tuple (the documented window)', async () => {
    const outbox = new MemoryOutbox();
    const failing = Object.assign(Object.create(outbox) as MemoryOutbox, { appendEvents: async () => Promise.reject(new Error('database down')) });
    const { access } = await open(failing);
    await expect(
      access.withEvents(async (control, o) => {
        await control.addMember({ tenant: 'acme', role: 'readers', member, createdAtMs: 2 });
        await o.appendEvents([added('readers')]);
      }),
    ).rejects.toThrow('database down');
    expect((await access.listMembers('acme', 'readers')).map((m) => m.member.name)).toEqual(['etl-1']);
    expect(await outbox.head(tenantStream('acme'))).toBe(0);
  });
});
