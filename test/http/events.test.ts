/**
 * The event outbox through the HTTP API (issue 38): every acknowledged change has exactly one event, written in the
 * change's transaction (a commit that lost its compare-and-swap, or whose transaction failed after the outbox write,
 * leaves none); events are CloudEvents 1.0 with the documented types and fields; the pull API pages by sequence and
 * shows a caller only events of what it may read; sinks are configured through the management API with the secret
 * sealed and never echoed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendUpdates, simpleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { KyselyRecords } from '../../packages/server/src/persistence/kysely-records.js';
import { signInAdmin, grantedPrincipal } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let adminId: string;
const T = '/v1/default/namespaces/ev/tables';

async function allEvents(send: Send = admin, after = '0'): Promise<any[]> {
  const out: any[] = [];
  for (let cursor = after; ;) {
    const res = await send('GET', `/management/v1/events?warehouse=default&after=${cursor}&limit=7`);
    expect(res.status, res.body?.error?.message).toBe(200);
    out.push(...res.body.events);
    cursor = res.body.next;
    if (!res.body.more) return out;
  }
}

const head = async () => (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next as string;
const load = async (name: string) => (await admin('GET', `${T}/${name}`)).body.metadata;

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_PUBLIC_URL: 'https://catalog.example.test' }, { auth: true });
  adminId = cat.admin().client_id;
  admin = await signInAdmin(cat);
});
afterAll(async () => cat?.close());

describe('change events', () => {
  it('records every change once, in commit order, as CloudEvents with the documented types and fields', async () => {
    const start = await head();
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['ev'], properties: { owner: 'ana' } })).status).toBe(200);
    const created = await admin('POST', T, { name: 'orders', schema: simpleSchema });
    expect(created.status).toBe(200);
    const uuid = created.body.metadata['table-uuid'];
    const snapshots: bigint[] = [];
    for (let i = 0; i < 3; i += 1) {
      const c = appendUpdates(await load('orders'));
      const res = await admin('POST', `${T}/orders`, { requirements: c.requirements, updates: c.updates });
      expect(res.status, res.body?.error?.message).toBe(200);
      snapshots.push(c.snapshotId);
    }
    expect(
      (await admin('POST', '/v1/default/tables/rename', { source: { namespace: ['ev'], name: 'orders' }, destination: { namespace: ['ev'], name: 'orders2' } }))
        .status,
    ).toBe(204);
    expect((await admin('DELETE', `${T}/orders2?purgeRequested=true`)).status).toBe(204);
    expect((await admin('POST', '/v1/default/namespaces/ev/properties', { updates: { tier: 'gold' }, removals: ['owner'] })).status).toBe(200);

    const events = await allEvents(admin, start);
    expect(events.map((e) => e.type)).toEqual([
      'io.lakegate.namespace.created',
      'io.lakegate.table.created',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.renamed',
      'io.lakegate.table.dropped',
      'io.lakegate.namespace.updated',
    ]);
    const sequences = events.map((e) => Number(e.sequence));
    expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) {
      expect(e).toMatchObject({ specversion: '1.0', source: 'https://catalog.example.test/warehouses/default', datacontenttype: 'application/json' });
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
      expect(e.data.warehouse).toBe('default');
      expect(e.data.caller).toMatchObject({ principal: adminId, kind: 'principal' });
    }
    const tableEvents = events.filter((e) => e.type.startsWith('io.lakegate.table.'));
    expect(tableEvents.every((e) => e.partitionkey === uuid && e.data['table-uuid'] === uuid)).toBe(true);
    expect(events[0]).toMatchObject({
      subject: 'ev',
      partitionkey: 'default',
      data: { namespace: ['ev'], operation: { 'operation-type': 'create-namespace', namespace: ['ev'], properties: { owner: 'ana' } } },
    });
    expect(events[1]).toMatchObject({
      subject: 'ev/orders',
      data: {
        name: 'orders',
        'metadata-location': created.body['metadata-location'],
        operation: { 'operation-type': 'create-table', identifier: { namespace: ['ev'], name: 'orders' }, 'table-uuid': uuid },
      },
    });
    events.slice(2, 5).forEach((e, i) => {
      expect(e.data.operation).toMatchObject({ 'operation-type': 'update-table', identifier: { namespace: ['ev'], name: 'orders' }, 'table-uuid': uuid });
      expect(e.data.operation.updates.map((u: any) => u.action)).toEqual(['add-snapshot', 'set-snapshot-ref']);
      // 63-bit snapshot ids stay exact (the response is parsed with exact integers).
      expect(e.data.snapshots).toEqual([expect.objectContaining({ 'snapshot-id': snapshots[i], operation: 'append', summary: { operation: 'append' } })]);
      expect(e.data.operation.updates[1]).toEqual({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshots[i] });
    });
    expect(events[5]).toMatchObject({
      subject: 'ev/orders2',
      data: {
        operation: { 'operation-type': 'rename-table', source: { namespace: ['ev'], name: 'orders' }, destination: { namespace: ['ev'], name: 'orders2' } },
      },
    });
    expect(events[6]).toMatchObject({ data: { name: 'orders2', operation: { 'operation-type': 'drop-table', purge: true } } });
    expect(events[7].data.operation).toMatchObject({ 'operation-type': 'update-namespace-properties', updated: ['tier'], removed: ['owner'], missing: [] });
  });

  it('leaves no event for a commit that lost its compare-and-swap (409), and one for each that won', async () => {
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['ev2'] })).status).toBe(200);
    expect((await admin('POST', '/v1/default/namespaces/ev2/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    const before = await head();
    const base = (await admin('GET', '/v1/default/namespaces/ev2/tables/t')).body;
    const first = appendUpdates(base.metadata);
    const second = appendUpdates(base.metadata);
    expect((await admin('POST', '/v1/default/namespaces/ev2/tables/t', { requirements: first.requirements, updates: first.updates })).status).toBe(200);
    const lost = await admin('POST', '/v1/default/namespaces/ev2/tables/t', { requirements: second.requirements, updates: second.updates });
    expect(lost.status).toBe(409);
    // Eight racing appends on one base: exactly one wins, exactly one event.
    const racing = appendUpdates((await admin('GET', '/v1/default/namespaces/ev2/tables/t')).body.metadata);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => admin('POST', '/v1/default/namespaces/ev2/tables/t', { requirements: racing.requirements, updates: racing.updates })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const events = await allEvents(admin, before);
    expect(events.map((e) => e.type)).toEqual(['io.lakegate.table.committed', 'io.lakegate.table.committed']);
    expect(events.map((e) => e.data.snapshots[0]['snapshot-id'])).toEqual([first.snapshotId, racing.snapshotId]);
  });

  it('leaves neither the change nor its event when the transaction fails after the outbox write (a crash before COMMIT)', async () => {
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['ev3'] })).status).toBe(200);
    expect((await admin('POST', '/v1/default/namespaces/ev3/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    const before = await head();
    const base = (await admin('GET', '/v1/default/namespaces/ev3/tables/t')).body;
    const original = KyselyRecords.prototype.appendEvents;
    const spy = vi.spyOn(KyselyRecords.prototype, 'appendEvents').mockImplementation(async function (this: KyselyRecords, events) {
      await original.call(this, events);
      throw new Error('injected crash between the outbox write and COMMIT');
    });
    try {
      const c = appendUpdates(base.metadata);
      expect((await admin('POST', '/v1/default/namespaces/ev3/tables/t', { requirements: c.requirements, updates: c.updates })).status).toBe(500);
      expect((await admin('POST', '/v1/default/namespaces', { namespace: ['ev3', 'child'] })).status).toBe(500);
      expect((await admin('DELETE', '/v1/default/namespaces/ev3/tables/t')).status).toBe(500);
    } finally {
      spy.mockRestore();
    }
    const after = (await admin('GET', '/v1/default/namespaces/ev3/tables/t')).body;
    expect(after['metadata-location']).toBe(base['metadata-location']);
    expect((await admin('GET', '/v1/default/namespaces/ev3/child')).status).toBe(404);
    expect(await allEvents(admin, before)).toEqual([]);
    // And the next change gets the next number: the failed transactions took none.
    const c = appendUpdates(after.metadata);
    expect((await admin('POST', '/v1/default/namespaces/ev3/tables/t', { requirements: c.requirements, updates: c.updates })).status).toBe(200);
    const next = await allEvents(admin, before);
    expect(next.map((e) => Number(e.sequence))).toEqual([Number(before) + 1]);
  });

  it('records a soft drop and its undrop in the transactions that move the table (issue 39), and neither when that transaction fails', async () => {
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['ev5'] })).status).toBe(200);
    const created = await admin('POST', '/v1/default/namespaces/ev5/tables', { name: 'kept', schema: simpleSchema });
    const uuid = created.body.metadata['table-uuid'];
    const before = await head();
    // A crash between the outbox write and COMMIT of the soft drop: the table stays, no event.
    const original = KyselyRecords.prototype.appendEvents;
    const spy = vi.spyOn(KyselyRecords.prototype, 'appendEvents').mockImplementation(async function (this: KyselyRecords, events) {
      await original.call(this, events);
      throw new Error('injected crash between the outbox write and COMMIT');
    });
    try {
      expect((await admin('DELETE', '/v1/default/namespaces/ev5/tables/kept')).status).toBe(500);
    } finally {
      spy.mockRestore();
    }
    expect((await admin('GET', '/v1/default/namespaces/ev5/tables/kept')).status).toBe(200);
    expect(await allEvents(admin, before)).toEqual([]);
    // The soft drop (the default warehouse keeps dropped objects) and the undrop: one event each, in order.
    expect((await admin('DELETE', '/v1/default/namespaces/ev5/tables/kept')).status).toBe(204);
    const dropped = await allEvents(admin, before);
    expect(dropped.map((e) => e.type)).toEqual(['io.lakegate.table.dropped']);
    expect(dropped[0]).toMatchObject({ partitionkey: uuid, data: { soft: true, 'table-uuid': uuid } });
    const id = dropped[0].data['dropped-object-id'];
    expect(typeof id).toBe('string');
    expect((await admin('POST', `/management/v1/warehouses/default/dropped/${id}/undrop`, {})).status).toBe(200);
    const all = await allEvents(admin, before);
    expect(all.map((e) => e.type)).toEqual(['io.lakegate.table.dropped', 'io.lakegate.table.undropped']);
    expect(all[1]).toMatchObject({ partitionkey: uuid, subject: 'ev5/kept', data: { 'dropped-object-id': id } });
    expect((await admin('GET', '/v1/default/namespaces/ev5/tables/kept')).status).toBe(200);
  });

  it('shows a caller only events of what it may read, and moves the cursor past the rest', async () => {
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['open'] })).status).toBe(200);
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['closed'] })).status).toBe(200);
    const before = await head();
    for (const ns of ['open', 'closed'])
      expect((await admin('POST', `/v1/default/namespaces/${ns}/tables`, { name: 'x', schema: simpleSchema })).status).toBe(200);
    const reader = await grantedPrincipal(cat, admin, 'event-reader', ['table:read-metadata'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['open'],
    });
    const seen = await allEvents(reader.send, before);
    expect(seen.map((e) => e.subject)).toEqual(['open/x']);
    const page = await reader.send('GET', `/management/v1/events?warehouse=default&after=${before}&limit=1000`);
    // Past the other namespace's table and the grant event too: the warehouse's head.
    expect(page.body.next).toBe(await head());
    expect(Number(page.body.next)).toBe(Number(before) + 3);
  });

  it("records grant changes in the securable's warehouse, seen by those who manage grants", async () => {
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['granted'] })).status).toBe(200);
    const before = await head();
    const someone = await grantedPrincipal(cat, admin, 'grant-target', ['table:read-data'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['granted'],
    });
    expect(
      (
        await admin('POST', '/management/v1/grants/revoke', {
          role: `${someone.id}-role`,
          privileges: ['table:read-data'],
          securable: { type: 'namespace', warehouse: 'default', namespace: ['granted'] },
        })
      ).status,
    ).toBe(200);
    const events = (await allEvents(admin, before)).filter((e) => e.type.startsWith('io.lakegate.grant.'));
    expect(events.map((e) => e.type)).toEqual(['io.lakegate.grant.added', 'io.lakegate.grant.revoked']);
    expect(events[0].data).toMatchObject({
      role: `${someone.id}-role`,
      privileges: ['table:read-data'],
      securable: { type: 'namespace', warehouse: 'default', namespace: ['granted'] },
      caller: { principal: adminId },
    });
    expect(events[1].data).toMatchObject({ revoked: 1 });
    // The grantee itself manages no grants: it does not see them.
    expect((await allEvents(someone.send, before)).filter((e) => e.type.startsWith('io.lakegate.grant.'))).toEqual([]);
  });

  it("refuses bad cursors and limits with 400, and an unknown warehouse with 404; without one, answers the tenant's events", async () => {
    for (const q of ['after=-1', 'after=abc', 'limit=0', 'limit=5000']) {
      const res = await admin('GET', `/management/v1/events?warehouse=default&${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error).toMatchObject({ code: 400 });
    }
    expect((await admin('GET', '/management/v1/events?warehouse=nope')).status).toBe(404);
    // Without a warehouse: the caller's tenant's events (test/http/tenant-events.test.ts); with both, a 400.
    const tenant = await admin('GET', '/management/v1/events');
    expect(tenant.status).toBe(200);
    expect(tenant.body.events.every((e: { source: string }) => e.source.endsWith('/tenants/default'))).toBe(true);
    expect((await admin('GET', '/management/v1/events?warehouse=default&tenant=default')).status).toBe(400);
  });
});

describe('event sinks through the management API', () => {
  it('creates a webhook sink with a generated secret shown once, never again, and deletes it', async () => {
    const created = await admin('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.sink).toMatchObject({ kind: 'webhook', warehouse: 'default', 'has-secret': true, state: 'active', failures: 0, pending: '0' });
    const id = created.body.sink.id;
    const listed = await admin('GET', '/management/v1/warehouses/default/event-sinks');
    expect(listed.body.sinks.map((s: any) => s.id)).toContain(id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret.slice(6));
    expect(JSON.stringify((await admin('GET', `/management/v1/warehouses/default/event-sinks/${id}`)).body)).not.toContain(created.body.secret.slice(6));
    expect(cat.logs()).not.toContain(created.body.secret.slice(6));
    expect((await admin('DELETE', `/management/v1/warehouses/default/event-sinks/${id}`)).status).toBe(204);
    expect((await admin('GET', `/management/v1/warehouses/default/event-sinks/${id}`)).status).toBe(404);
  });

  it('takes a chosen secret without echoing it, and refuses bad sinks with a clear 400', async () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const created = await admin('POST', '/management/v1/warehouses/default/event-sinks', {
      kind: 'webhook',
      config: { url: 'https://hooks.example.test/x' },
      secret,
    });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('secret');
    await admin('DELETE', `/management/v1/warehouses/default/event-sinks/${created.body.sink.id}`);
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'webhook', config: {} }, /config.url is required/],
      [{ kind: 'webhook', config: { url: 'ftp://x' } }, /http\(s\) URL/],
      [{ kind: 'webhook', config: { url: 'https://u:p@x' } }, /must not carry credentials/],
      [{ kind: 'webhook', config: { url: 'https://x', secret: 'nope' } }, /unknown webhook settings/],
      [{ kind: 'webhook', config: { url: 'https://x', 'timeout-ms': 0 } }, /timeout-ms must be an integer/],
      [{ kind: 'webhook', config: { url: 'https://x' }, secret: 'whsec_short' }, /Standard Webhooks secret/],
      [{ kind: 'kafka', config: { brokers: ['127.0.0.1:9092'] } }, /invalid kafka sink config: topic: must be/],
      [
        { kind: 'kafka', config: { brokers: ['127.0.0.1:9092'], topic: 't', sasl: { mechanism: 'plain', username: 'u', password: 'whsec_short' } } },
        /sasl\.password: secrets are not part of the config/,
      ],
      [{ kind: 'kafka', config: { brokers: ['127.0.0.1:9092'], topic: 't' }, secret: '' }, /secret must be a non-empty string/],
      [{ kind: 'nats', config: {} }, /invalid nats sink config: servers: must be a list.*stream: .*subject: /],
    ];
    for (const [body, message] of cases) {
      const res = await admin('POST', '/management/v1/warehouses/default/event-sinks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.message).not.toContain('whsec_short');
    }
  });

  it('lets only those who manage the warehouse configure sinks', async () => {
    const reader = await grantedPrincipal(cat, admin, 'sink-outsider', ['table:read-metadata'], { type: 'warehouse', warehouse: 'default' });
    expect((await reader.send('GET', '/management/v1/warehouses/default/event-sinks')).status).toBe(403);
    expect((await reader.send('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: 'https://x' } })).status).toBe(403);
  });
});
