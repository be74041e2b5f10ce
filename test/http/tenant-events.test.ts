/**
 * Tenant events through the management API (issue 38): role, member and principal changes are CloudEvents of the
 * tenant's own stream (`source` …/tenants/<tenant>, sequence per tenant), readable by the tenant's administrators
 * only (`GET /management/v1/events` without a warehouse), never carrying a secret; a change whose transaction fails
 * after its event was written (injected crash before COMMIT) leaves neither change nor event, for roles, principals
 * and grants alike (grants: the built-in authorizer, so in the grant's transaction); a tenant's webhook sink gets
 * the events, signed, in order, from a real receiver (test/support/webhook-receiver.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { startWebhookReceiver, firstOfEach, type WebhookReceiver } from '../support/webhook-receiver.js';
import { waitFor } from '../support/wait-for.js';
import { KyselyAccessControl } from '../../packages/server/src/persistence/kysely-access-control.js';
import { KyselyIdentityRepository } from '../../packages/server/src/persistence/kysely-identity-repository.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let adminId: string;
let receiver: WebhookReceiver;

async function tenantEvents(send: Send = admin, after = '0'): Promise<any[]> {
  const out: any[] = [];
  for (let cursor = after; ;) {
    const res = await send('GET', `/management/v1/events?after=${cursor}&limit=3`);
    expect(res.status, res.body?.error?.message).toBe(200);
    out.push(...res.body.events);
    cursor = res.body.next;
    if (!res.body.more) return out;
  }
}
const head = async () => (await admin('GET', '/management/v1/events?limit=1000')).body.next as string;

/** Makes every withEvents of the adapter write its change and events, then fail before COMMIT. */
function crashBeforeCommit(proto: { withEvents: (fn: any) => Promise<unknown> }) {
  const original = proto.withEvents;
  return vi.spyOn(proto, 'withEvents').mockImplementation(function (this: unknown, fn: (port: unknown, outbox: unknown) => Promise<unknown>) {
    return original.call(this, async (port: unknown, outbox: unknown) => {
      await fn(port, outbox);
      throw new Error('injected crash between the outbox write and COMMIT');
    });
  });
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  cat = await startInProcess({ LAKEGATE_PUBLIC_URL: 'https://catalog.example.test', LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' }, { auth: true });
  adminId = cat.admin().client_id;
  admin = await signInAdmin(cat);
});
afterAll(async () => {
  await cat?.close();
  await receiver?.close();
});

describe('tenant events', () => {
  it('records every kind of tenant change in the tenant stream, in commit order, without secrets', async () => {
    const start = await head();
    expect((await admin('POST', '/management/v1/roles', { name: 'analyst', description: 'reads' })).status).toBe(201);
    const created = await admin('POST', '/management/v1/principals', { name: 'etl' });
    expect(created.status).toBe(201);
    const clientId = created.body['client-id'] as string;
    const secrets: string[] = [created.body['client-secret']];
    expect((await admin('POST', '/management/v1/roles/analyst/members', { kind: 'principal', name: clientId })).status).toBe(201);
    // The same member again changes nothing: no second event.
    expect((await admin('POST', '/management/v1/roles/analyst/members', { kind: 'principal', name: clientId })).status).toBeLessThan(300);
    const rotated = await admin('POST', `/management/v1/principals/${clientId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body['client-secret']);
    const apiKey = await admin('POST', `/management/v1/principals/${clientId}/api-keys`, { name: 'nightly' });
    expect(apiKey.status).toBe(201);
    secrets.push(apiKey.body['api-key']);
    expect((await admin('DELETE', `/management/v1/api-keys/${apiKey.body['key-id']}`)).status).toBe(204);
    const accessKey = await admin('POST', `/management/v1/principals/${clientId}/access-keys`);
    expect(accessKey.status).toBe(201);
    secrets.push(accessKey.body['secret-access-key']);
    expect((await admin('DELETE', `/management/v1/principals/${clientId}/access-keys/${accessKey.body['access-key-id']}`)).status).toBe(204);
    expect((await admin('PUT', `/management/v1/principals/${clientId}/delegation`, { users: ['alice'] })).status).toBe(200);
    expect((await admin('POST', `/management/v1/principals/${clientId}/revoke-tokens`)).status).toBe(204);
    expect((await admin('POST', `/management/v1/principals/${clientId}/disable`)).status).toBe(200);
    expect((await admin('POST', `/management/v1/principals/${clientId}/enable`)).status).toBe(200);
    expect((await admin('POST', '/management/v1/roles/analyst/members/remove', { kind: 'principal', name: clientId })).status).toBe(204);
    expect((await admin('DELETE', '/management/v1/roles/analyst')).status).toBe(204);
    expect((await admin('PUT', '/management/v1/tenants/default/storage-grant', { roots: ['s3://tenant-bucket/lake'] })).status).toBe(200);

    const events = await tenantEvents(admin, start);
    expect(events.map((e) => e.type)).toEqual([
      'io.lakegate.role.created',
      'io.lakegate.principal.created',
      'io.lakegate.role.member-added',
      'io.lakegate.principal.secret-rotated',
      'io.lakegate.principal.api-key-created',
      'io.lakegate.principal.api-key-revoked',
      'io.lakegate.principal.access-key-created',
      'io.lakegate.principal.access-key-revoked',
      'io.lakegate.principal.delegation-set',
      'io.lakegate.principal.tokens-revoked',
      'io.lakegate.principal.disabled',
      'io.lakegate.principal.enabled',
      'io.lakegate.role.member-removed',
      'io.lakegate.role.deleted',
      'io.lakegate.tenant.storage-grant-set',
    ]);
    const sequences = events.map((e) => Number(e.sequence));
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    for (const e of events) {
      expect(e).toMatchObject({
        specversion: '1.0',
        source: 'https://catalog.example.test/tenants/default',
        partitionkey: 'default',
        datacontenttype: 'application/json',
      });
      expect(e.data).toMatchObject({ tenant: 'default', caller: { principal: adminId, kind: 'principal' } });
    }
    expect(events[0]).toMatchObject({ subject: 'role/analyst', data: { role: 'analyst', description: 'reads' } });
    expect(events[1]).toMatchObject({ subject: `principal/${clientId}`, data: { 'client-id': clientId, name: 'etl', roles: [] } });
    expect(events[2].data).toMatchObject({ role: 'analyst', member: { kind: 'principal', name: clientId } });
    expect(events[4].data).toMatchObject({ 'key-id': apiKey.body['key-id'], name: 'nightly' });
    expect(events[6].data).toMatchObject({ 'access-key-id': accessKey.body['access-key-id'] });
    expect(events[7].data).toMatchObject({ 'access-key-id': accessKey.body['access-key-id'] });
    expect(events[8].data).toMatchObject({ 'client-id': clientId, delegation: { users: ['alice'] } });
    expect(events[14]).toMatchObject({ subject: 'tenant/default', data: { roots: ['s3://tenant-bucket/lake'] } });
    const text = JSON.stringify(events);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // The warehouse's own stream has none of them.
    const warehouse = (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.events as any[];
    expect(warehouse.filter((e) => e.source.endsWith('/tenants/default'))).toEqual([]);
  });

  it('lets only administrators of the tenant read its events and manage its sinks (deny by default)', async () => {
    const p = await admin('POST', '/management/v1/principals', { name: 'reader' });
    const reader = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.body['client-id'], p.body['client-secret']));
    const refused = await reader('GET', '/management/v1/events');
    expect(refused.status).toBe(403);
    // The refusal names what was asked for and what it needs (not role management).
    expect(refused.body.error.message).toBe("reading the tenant's events needs the admin role of the tenant");
    expect((await reader('GET', '/management/v1/events?tenant=default')).status).toBe(403);
    const sinks = await reader('GET', '/management/v1/tenants/default/event-sinks');
    expect(sinks.status).toBe(403);
    expect(sinks.body.error.message).toBe("managing the tenant's event sinks needs the admin role of the tenant");
    // Every refusal of this check names its own operation.
    expect((await reader('GET', '/management/v1/roles')).body.error.message).toBe('listing roles needs the admin role of the tenant');
    expect((await reader('GET', '/management/v1/warehouses')).body.error.message).toBe('listing warehouses needs the admin role of the tenant');
    expect((await reader('POST', '/management/v1/tenants/default/event-sinks', { kind: 'webhook', config: { url: 'https://x.test/h' } })).status).toBe(403);
    // A tenant administrator of another tenant is refused for this one; naming both a warehouse and a tenant is a 400.
    expect((await admin('GET', '/management/v1/events?tenant=default&warehouse=default')).status).toBe(400);
    expect((await admin('GET', '/management/v1/events?after=x')).status).toBe(400);
  });

  it('keeps neither the change nor its event when the transaction fails after the outbox write', async () => {
    expect((await admin('POST', '/management/v1/roles', { name: 'stays' })).status).toBe(201);
    const start = await head();
    const principalsBefore = (await admin('GET', '/management/v1/principals')).body.principals.length;
    const grantsBefore = (await admin('GET', '/management/v1/grants?role=stays')).body.grants;
    const warehouseHead = (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next;
    const access = crashBeforeCommit(KyselyAccessControl.prototype);
    const identity = crashBeforeCommit(KyselyIdentityRepository.prototype);
    try {
      expect((await admin('POST', '/management/v1/roles', { name: 'ghost' })).status).toBe(500);
      expect((await admin('POST', '/management/v1/principals', { name: 'ghost' })).status).toBe(500);
      expect(
        (await admin('POST', '/management/v1/grants', { role: 'stays', securable: { type: 'warehouse', warehouse: 'default' }, privileges: ['table:list'] }))
          .status,
      ).toBe(500);
    } finally {
      access.mockRestore();
      identity.mockRestore();
    }
    expect((await admin('GET', '/management/v1/roles/ghost')).status).toBe(404);
    expect((await admin('GET', '/management/v1/principals')).body.principals.length).toBe(principalsBefore);
    expect((await admin('GET', '/management/v1/grants?role=stays')).body.grants).toEqual(grantsBefore);
    expect(await tenantEvents(admin, start)).toEqual([]);
    expect((await admin('GET', `/management/v1/events?warehouse=default&after=${warehouseHead}`)).body.events).toEqual([]);
    // The grant, done again without the crash, commits with its event in the warehouse stream.
    expect(
      (await admin('POST', '/management/v1/grants', { role: 'stays', securable: { type: 'warehouse', warehouse: 'default' }, privileges: ['table:list'] }))
        .status,
    ).toBe(201);
    const granted = (await admin('GET', `/management/v1/events?warehouse=default&after=${warehouseHead}`)).body.events;
    expect(granted.map((e: any) => e.type)).toEqual(['io.lakegate.grant.added']);
    expect(granted[0].data).toMatchObject({ role: 'stays', privileges: ['table:list'] });
  });

  it("delivers a tenant's events to its webhook sink, signed, in order", async () => {
    const created = await admin('POST', '/management/v1/tenants/default/event-sinks', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 5_000 } });
    expect(created.status, created.body?.error?.message).toBe(201);
    expect(created.body.sink).toMatchObject({ tenant: 'default', kind: 'webhook', state: 'active', 'has-secret': true });
    expect(created.body.sink).not.toHaveProperty('warehouse');
    receiver.secret = created.body.secret;
    const sinkId = created.body.sink.id as string;
    // Not one of the warehouse's sinks, and not reachable through a warehouse's path.
    expect((await admin('GET', '/management/v1/warehouses/default/event-sinks')).body.sinks.map((s: any) => s.id)).not.toContain(sinkId);
    expect((await admin('GET', `/management/v1/warehouses/default/event-sinks/${sinkId}`)).status).toBe(404);
    for (const name of ['d1', 'd2', 'd3']) expect((await admin('POST', '/management/v1/roles', { name })).status).toBe(201);
    const end = Date.now() + 30_000;
    while (firstOfEach(receiver.accepted).length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const got = firstOfEach(receiver.accepted).map((r) => r.body);
    expect(got.map((e) => [e.type, e.subject])).toEqual([
      ['io.lakegate.role.created', 'role/d1'],
      ['io.lakegate.role.created', 'role/d2'],
      ['io.lakegate.role.created', 'role/d3'],
    ]);
    expect(got.every((e) => e.source === 'https://catalog.example.test/tenants/default')).toBe(true);
    expect(receiver.badSignatures).toBe(0);
    // The receiver has an event once the sink's POST returns; the delivery thread notes it (cursor, count) right
    // after, and at idle priority on a loaded machine that can come later than the test's next request: wait for it.
    const sink = await waitFor(
      'the sink to note its deliveries',
      () => admin('GET', `/management/v1/tenants/default/event-sinks/${sinkId}`),
      (r) => r.body?.pending === '0',
    );
    expect(sink.body).toMatchObject({ tenant: 'default', pending: '0', delivered: '3' });
    expect((await admin('DELETE', `/management/v1/tenants/default/event-sinks/${sinkId}`)).status).toBe(204);
    expect((await admin('GET', `/management/v1/tenants/default/event-sinks/${sinkId}`)).status).toBe(404);
  });
});
