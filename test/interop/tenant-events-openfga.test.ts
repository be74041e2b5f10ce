/**
 * Member and grant events with OpenFGA (a real `openfga` server, scripts/peers/openfga.sh), issue 38's crash window
 * closed: the tuples live outside the catalog database, so OpenFgaAccess.withEvents records each change's event as a
 * pending intent (catalog/ports/intents.ts) in the database before the tuple write and publishes it after; a
 * crash in between leaves the intent, and the recovery sweep (intent-recovery.ts) publishes it when the tuple write
 * took effect and drops it when it did not. Proven with injected crashes between the tuple write and the publish,
 * through the management API (the process "dies", a new one on the same database and OpenFGA store recovers at
 * start) and on the adapter over a real SQLite database: after recovery the event exists exactly once; a refused
 * OpenFGA write leaves no event; a no-op change has none; one replica sweeps at a time; events committed after a
 * pending intent wait for it and follow it (the stream is held at the intent's sequence).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpenFgaAccess } from '../../packages/server/src/auth/authz/openfga/openfga-access.js';
import { IntentRecovery } from '../../packages/server/src/catalog/outbox/intent-recovery.js';
import { tenantEvent, tenantStream } from '../../packages/server/src/catalog/outbox/tenant-events.js';
import type { OutboxEventInput } from '../../packages/server/src/catalog/ports/outbox.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';
import { tempDir } from '../support/temp.js';
import { signInAdmin } from '../support/principals.js';

let fga: OpenFga;
const temp = tempDir();
beforeAll(async () => {
  fga = await startOpenFga();
}, 300_000);
afterAll(async () => {
  await fga?.stop();
  temp.cleanup();
});

const MINUTES = 60_000;
let n = 0;
const ctx = { newUuid: () => `00000000-0000-4000-b000-${String(++n).padStart(12, '0')}`, clock: { now: () => Date.now() } };
const caller = { principal: 'admin', kind: 'principal' };
const member = { kind: 'principal' as const, issuer: '', name: 'etl-1' };
const memberEvent = (kind: 'role.member-added' | 'role.member-removed'): OutboxEventInput =>
  tenantEvent(ctx, 'acme', caller, { kind, subject: 'role/readers', data: { role: 'readers' } });
const crash = () => Promise.reject(new Error('injected crash between the tuple write and the publish'));

/** The adapter over a real SQLite catalog database (roles, intents, outbox) and a fresh OpenFGA store. */
async function open(now: () => number = Date.now) {
  const store = new SqliteCatalogStore(path.join(temp.dir, `fga-${n++}.sqlite`));
  await store.migrate();
  const storeId = await fga.createStore();
  const access = await OpenFgaAccess.connect({ url: fga.url, storeId, token: '', roles: store.access, intents: store.eventIntents, now });
  await access.createRole({ tenant: 'acme', name: 'readers', description: '', createdAtMs: 1 });
  const recovery = (holder = 'replica-1', at = () => now() + 3 * MINUTES) =>
    new IntentRecovery({ intents: store.eventIntents, resolver: access, leases: store.outbox, holder, now: at, olderThanMs: 2 * MINUTES, leaseTtlMs: MINUTES });
  const events = async () => store.outbox.list(tenantStream('acme'), 0, 100);
  const pending = () => store.eventIntents.pendingIntents(Number.MAX_SAFE_INTEGER, 100);
  return { store, access, storeId, recovery, events, pending };
}

const addMember = (access: OpenFgaAccess, event = memberEvent('role.member-added')) =>
  access.withEvents(
    async (control, o) => {
      const added = await control.addMember({ tenant: 'acme', role: 'readers', member, createdAtMs: 2 });
      if (added) await o.appendEvents([event]);
      return added;
    },
    [event],
  );

const removeMember = (access: OpenFgaAccess, event = memberEvent('role.member-removed')) =>
  access.withEvents(
    async (control, o) => {
      const removed = await control.removeMember('acme', 'readers', member);
      if (removed) await o.appendEvents([event]);
      return removed;
    },
    [event],
  );

describe('member events with OpenFGA: the adapter over SQLite', () => {
  it('publishes the event after the tuple write, and leaves no intent; a no-op change has no event', async () => {
    const { store, access, events, pending } = await open();
    try {
      const event = memberEvent('role.member-added');
      expect(await addMember(access, event)).toBe(true);
      expect((await events()).map((e) => [e.id, e.type])).toEqual([[event.id, 'io.lakegate.role.member-added']]);
      expect(await pending()).toEqual([]);
      // The member holds the role already: OpenFGA answers that the tuple exists, nothing changed, no event.
      expect(await addMember(access)).toBe(false);
      expect(await events()).toHaveLength(1);
      expect(await pending()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a crash after the tuple write: the intent stays pending, and the recovery sweep publishes its event exactly once', async () => {
    const { store, access, recovery, events, pending } = await open();
    try {
      const event = memberEvent('role.member-added');
      const publish = vi.spyOn(store.eventIntents, 'publishIntent').mockImplementationOnce(crash);
      await expect(addMember(access, event)).rejects.toThrow('injected crash');
      publish.mockRestore();
      // The change happened (the tuple is in OpenFGA), its event is not out yet but recorded.
      expect((await access.listMembers('acme', 'readers')).map((m) => m.member.name)).toEqual(['etl-1']);
      expect(await events()).toEqual([]);
      expect((await pending()).map((i) => [i.events[0]!.id, i.writes.map((w) => w.op)])).toEqual([[event.id, ['write']]]);
      // Too young for the sweep (its request may still be running): untouched.
      expect(await recovery('replica-1', () => Date.now()).sweep()).toEqual({ published: 0, dropped: 0 });
      expect(await recovery().sweep()).toEqual({ published: 1, dropped: 0 });
      expect((await events()).map((e) => [e.id, e.type, e.sequence])).toEqual([[event.id, 'io.lakegate.role.member-added', 1]]);
      // Exactly once: a second sweep has nothing left.
      expect(await recovery().sweep()).toEqual({ published: 0, dropped: 0 });
      expect(await events()).toHaveLength(1);
      expect(await pending()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a crash after a tuple delete: recovered as the removal it was', async () => {
    const { store, access, recovery, events } = await open();
    try {
      await addMember(access);
      const event = memberEvent('role.member-removed');
      const publish = vi.spyOn(store.eventIntents, 'publishIntent').mockImplementationOnce(crash);
      await expect(removeMember(access, event)).rejects.toThrow('injected crash');
      publish.mockRestore();
      expect(await access.listMembers('acme', 'readers')).toEqual([]);
      expect(await recovery().sweep()).toEqual({ published: 1, dropped: 0 });
      expect((await events()).map((e) => e.type)).toEqual(['io.lakegate.role.member-added', 'io.lakegate.role.member-removed']);
      expect((await events()).filter((e) => e.id === event.id)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('a crash before the tuple write reached OpenFGA: the sweep finds no tuple and drops the intent (no event)', async () => {
    const { store, access, recovery, events, pending } = await open();
    try {
      // The process dies right after recording the intent: the write is never sent.
      const save = store.eventIntents.saveIntent.bind(store.eventIntents);
      const saving = vi.spyOn(store.eventIntents, 'saveIntent').mockImplementationOnce(async (intent) => {
        await save(intent);
        throw new Error('injected crash after the intent, before the tuple write');
      });
      const resolve = vi.spyOn(access, 'anyInEffect').mockImplementationOnce(crash); // the dying process resolves nothing
      await expect(addMember(access)).rejects.toThrow('injected crash after the intent');
      saving.mockRestore();
      resolve.mockRestore();
      expect(await pending()).toHaveLength(1);
      expect(await access.listMembers('acme', 'readers')).toEqual([]);
      expect(await recovery().sweep()).toEqual({ published: 0, dropped: 1 });
      expect(await events()).toEqual([]);
      expect(await pending()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a write OpenFGA refuses leaves no event and no intent', async () => {
    const { store, access, events, pending } = await open();
    try {
      // An authorization model OpenFGA does not have: it refuses the write (400), the tuple is not stored.
      const fgaClient = (access as unknown as { fga: { modelId: string } }).fga;
      const model = fgaClient.modelId;
      fgaClient.modelId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
      await expect(addMember(access)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE' });
      fgaClient.modelId = model;
      expect(await access.listMembers('acme', 'readers')).toEqual([]);
      // Resolved at once (the tuple is absent): no event, nothing pending for the sweep.
      expect(await events()).toEqual([]);
      expect(await pending()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a change undone before recovery: the undone change has no event, the later one has its own', async () => {
    const { store, access, recovery, events } = await open();
    try {
      const added = memberEvent('role.member-added');
      const publish = vi.spyOn(store.eventIntents, 'publishIntent').mockImplementationOnce(crash);
      await expect(addMember(access, added)).rejects.toThrow('injected crash');
      publish.mockRestore();
      // Another request removes the member before the sweep ran: its event is published, but waits behind the intent.
      expect(await removeMember(access)).toBe(true);
      expect(await events()).toEqual([]);
      expect(await recovery().sweep()).toEqual({ published: 0, dropped: 1 });
      // What the stream says ends where OpenFGA is: the member does not hold the role.
      expect((await events()).map((e) => e.type)).toEqual(['io.lakegate.role.member-removed']);
    } finally {
      await store.close();
    }
  });

  it('one replica sweeps at a time (the lease)', async () => {
    const { store, access, recovery, events } = await open();
    try {
      const publish = vi.spyOn(store.eventIntents, 'publishIntent').mockImplementationOnce(crash);
      await expect(addMember(access)).rejects.toThrow('injected crash');
      publish.mockRestore();
      const later = Date.now() + 3 * MINUTES;
      expect(await store.outbox.acquireLease('event-intent-recovery', 'replica-2', later, MINUTES)).toBe(true);
      expect(await recovery('replica-1', () => later).sweep()).toEqual({ published: 0, dropped: 0 });
      await store.outbox.releaseLease('event-intent-recovery', 'replica-2');
      expect(await recovery('replica-1', () => later).sweep()).toEqual({ published: 1, dropped: 0 });
      expect(await events()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('role definitions change with their events in one database transaction; a tuple write without expected events is refused', async () => {
    const { store, access, events } = await open();
    try {
      const created = tenantEvent(ctx, 'acme', caller, { kind: 'role.created', subject: 'role/writers', data: { role: 'writers' } });
      await expect(
        access.withEvents(async (control, o) => {
          await control.createRole({ tenant: 'acme', name: 'writers', description: '', createdAtMs: 3 });
          await o.appendEvents([created]);
          throw new Error('injected crash before COMMIT');
        }),
      ).rejects.toThrow('injected crash before COMMIT');
      expect(await access.getRole('acme', 'writers')).toBeUndefined();
      expect(await events()).toEqual([]);
      await expect(access.withEvents((control) => control.addMember({ tenant: 'acme', role: 'readers', member, createdAtMs: 2 }))).rejects.toThrow(TypeError);
      expect(await access.listMembers('acme', 'readers')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('grant events with OpenFGA through the management API', () => {
  let env: Record<string, string>;
  const catalogs: TestCatalog[] = [];
  beforeAll(async () => {
    env = { ...(await fga.lakegateEnv()), LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' };
  });
  afterAll(async () => {
    for (const c of catalogs) await c.close().catch(() => undefined);
  });

  const grantEvents = async (send: Send) =>
    ((await send('GET', '/management/v1/events?warehouse=default&limit=1000')).body.events as any[]).filter((e) => e.type.startsWith('io.lakegate.grant.'));

  it('a process that dies after the tuple write: the next one recovers the grant event at start, exactly once', async () => {
    const dataDir = path.join(temp.dir, 'catalog');
    mkdirSync(dataDir);
    const first = await startInProcess(env, { auth: true, dataDir });
    catalogs.push(first);
    const admin = await signInAdmin(first);
    expect((await admin('POST', '/management/v1/roles', { name: 'analyst', description: '' })).status).toBe(201);
    const securable = { type: 'warehouse', warehouse: 'default' };
    const store = (first.lakegate as unknown as { store: SqliteCatalogStore }).store;
    const publish = vi.spyOn(store.eventIntents, 'publishIntent').mockImplementationOnce(crash);
    const failed = await admin('POST', '/management/v1/grants', { role: 'analyst', privileges: ['namespace:list', 'table:read-metadata'], securable });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toMatch(/injected|stack/);
    publish.mockRestore();
    // The grant is in OpenFGA; its event is pending, not in the outbox.
    expect(((await admin('GET', '/management/v1/grants?role=analyst')).body.grants as any[]).map((g: any) => g.privilege).sort()).toEqual([
      'namespace:list',
      'table:read-metadata',
    ]);
    expect(await grantEvents(admin)).toEqual([]);
    // A revoke goes through meanwhile; its event waits behind the pending one (the stream is held at the intent).
    expect((await admin('POST', '/management/v1/grants/revoke', { role: 'analyst', privileges: ['namespace:list'], securable })).status).toBe(200);
    expect(await grantEvents(admin)).toEqual([]);
    await first.close();
    catalogs.pop();

    // A new process on the same database and OpenFGA store, later than the recovery bound: it resolves the intent at start.
    const clock = { now: () => Date.now() + 5 * MINUTES };
    const second = await startInProcess(env, { auth: true, dataDir, clock });
    catalogs.push(second);
    const again = await signInAdmin(second);
    let seen: any[] = [];
    for (let i = 0; i < 100 && seen.length < 2; i++) {
      seen = await grantEvents(again);
      if (seen.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    // In the order the changes were made: the recovered grant first, then the revoke that followed it.
    expect(seen.map((e) => [e.type, e.data.privileges])).toEqual([
      ['io.lakegate.grant.added', ['namespace:list', 'table:read-metadata']],
      ['io.lakegate.grant.revoked', ['namespace:list']],
    ]);
    expect(Number(seen[1].sequence)).toBe(Number(seen[0].sequence) + 1);
    expect(new Set(seen.map((e) => e.id)).size).toBe(2);
    expect(second.logs()).toMatch(/"published":1,"dropped":0[^\n]*interrupted OpenFGA changes resolved/);
    expect(await (second.lakegate as unknown as { store: SqliteCatalogStore }).store.eventIntents.pendingIntents(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });
});
