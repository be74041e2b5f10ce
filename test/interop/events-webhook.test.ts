/**
 * Change events delivered to a real webhook receiver (test/support/webhook-receiver.ts: a node:http server verifying
 * every request with the Standard Webhooks algorithm) while PyIceberg 0.12 (the suite's cached venv) runs a scripted
 * session against `lakegate serve`: create a namespace and two tables, append three times, rename, append to the other
 * table, drop both with purge. The receiver answers 500 at first: the sink turns `failing` (management API and
 * /metrics) and nothing is lost; once it answers 200 it gets every event of the session exactly as the pull API lists
 * them, each table's in commit order, with the documented types, PyIceberg's snapshot ids and operation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LakegateManagement } from '@lakegate/client';
import { pyicebergPython } from '../support/peers.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { firstOfEach, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let server: ServerProcess;
let receiver: WebhookReceiver;
let management: LakegateManagement;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startServer({
    env: { LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '100', LAKEGATE_EVENT_SINK_MAX_FAILURES: '3', LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS: '1' },
  });
  management = new LakegateManagement({ uri: server.url, properties: { credential: server.credential } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

const waitFor = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

const SESSION = `
import json, os
import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType
cat = load_catalog("lake", **{"type": "rest", "uri": os.environ["URI"], "warehouse": "default", "credential": os.environ["CREDENTIAL"]})
schema = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
cat.create_namespace("events")
orders = cat.create_table(("events", "orders"), schema=schema)
side = cat.create_table(("events", "side"), schema=schema)
snapshots = {"orders": [], "side": []}
for i in range(3):
    orders.append(pa.table({"id": pa.array([i], pa.int64()), "name": pa.array([f"o{i}"])}))
    snapshots["orders"].append(str(orders.current_snapshot().snapshot_id))
cat.rename_table(("events", "orders"), ("events", "orders_v2"))
side.append(pa.table({"id": pa.array([9], pa.int64()), "name": pa.array(["s"])}))
snapshots["side"].append(str(side.current_snapshot().snapshot_id))
cat.purge_table(("events", "orders_v2"))
cat.purge_table(("events", "side"))
cat.drop_namespace("events")
print(json.dumps({"snapshots": snapshots, "orders": str(orders.metadata.table_uuid), "side": str(side.metadata.table_uuid)}))
`;

it(
  'delivers every event of a PyIceberg session to a webhook that is down at first, signed, once each, in per-table order',
  async () => {
    const created = await management.createEventSink('default', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 5_000 } });
    expect(created.secret).toMatch(/^whsec_/);
    receiver.secret = created.secret;
    receiver.failing = true;
    const sinkId = created.sink.id;
    const start = created.sink.cursor;

    const run = await runAsync(pyicebergPython(), ['-c', SESSION], {
      env: { ...process.env, URI: server.url, CREDENTIAL: server.credential },
      timeoutMs: 5 * 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const session = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { snapshots: { orders: string[]; side: string[] }; orders: string; side: string };

    // Down: the sink turns failing after 3 attempts, visible in the management API and /metrics; nothing is accepted.
    const failing = await waitFor(
      'the sink to be failing',
      () => management.getEventSink('default', sinkId),
      (s) => s.state === 'failing',
    );
    expect(failing.failures).toBeGreaterThanOrEqual(3);
    expect(failing['last-error']).toBe('webhook answered HTTP 500');
    expect(Number(failing.pending)).toBeGreaterThan(0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/lakegate_event_sinks_failing\{kind="webhook"\} 1/);
    expect(metrics).toMatch(/lakegate_events_pending\{kind="webhook"\} [1-9]/);
    expect(receiver.accepted).toEqual([]);
    expect(receiver.refused).toBeGreaterThanOrEqual(3);

    // Up again: every event arrives.
    receiver.failing = false;
    const pulled: any[] = [];
    for (let after = start; ;) {
      const page = await management.listEvents('default', { after, limit: 50 });
      pulled.push(...page.events);
      after = page.next;
      if (!page.more) break;
    }
    await waitFor(
      'every event at the receiver',
      async () => firstOfEach(receiver.accepted).length,
      (n) => n >= pulled.length,
    );
    const caughtUp = await waitFor(
      'the sink to catch up',
      () => management.getEventSink('default', sinkId),
      (s) => s.pending === '0' && s.state === 'active',
    );
    expect(caughtUp.failures).toBe(0);
    expect(receiver.badSignatures).toBe(0);

    const received = firstOfEach(receiver.accepted).map((r) => r.body);
    // Exactly the events the pull API lists, in the same order (one sink delivers the warehouse's sequence in order).
    expect(received.map((e) => e.id)).toEqual(pulled.map((e) => e.id));
    // Duplicates only as retries of the same id and body.
    for (const r of receiver.accepted) expect(r.body.id).toBe(r.id);

    const ofTable = (uuid: string) => received.filter((e) => e.partitionkey === uuid);
    const sequencesRise = (events: any[]) => events.every((e, i) => i === 0 || BigInt(e.sequence) > BigInt(events[i - 1].sequence));
    const orders = ofTable(session.orders);
    expect(orders.map((e) => e.type)).toEqual([
      'io.lakegate.table.created',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.renamed',
      'io.lakegate.table.dropped',
    ]);
    expect(sequencesRise(orders)).toBe(true);
    expect(orders.slice(1, 4).map((e) => String(e.data.snapshots[0]['snapshot-id']))).toEqual(session.snapshots.orders);
    expect(orders.slice(1, 4).every((e) => e.data.snapshots[0].operation === 'append' && e.data.operation['operation-type'] === 'update-table')).toBe(true);
    expect(orders[4]).toMatchObject({
      subject: 'events/orders_v2',
      data: { operation: { source: { namespace: ['events'], name: 'orders' }, destination: { namespace: ['events'], name: 'orders_v2' } } },
    });
    expect(orders[5].data.operation).toMatchObject({ 'operation-type': 'drop-table', purge: true });
    const side = ofTable(session.side);
    expect(side.map((e) => e.type)).toEqual(['io.lakegate.table.created', 'io.lakegate.table.committed', 'io.lakegate.table.dropped']);
    expect(String(side[1].data.snapshots[0]['snapshot-id'])).toBe(session.snapshots.side[0]);
    expect(received.filter((e) => e.type.startsWith('io.lakegate.namespace.')).map((e) => e.type)).toEqual([
      'io.lakegate.namespace.created',
      'io.lakegate.namespace.dropped',
    ]);
    const [clientId] = server.credential.split(':');
    for (const e of received) {
      expect(e).toMatchObject({
        specversion: '1.0',
        datacontenttype: 'application/json',
        source: `${server.url}/warehouses/default`,
        data: { warehouse: 'default', caller: { principal: clientId } },
      });
    }
    // The delivery thread counts a delivery right after the receiver has it: wait for the count, then read the rest.
    const delivered = new RegExp(`lakegate_events_delivered_total\\{kind="webhook"\\} ${received.length}\\b`);
    const after = await waitFor(
      'the delivered count',
      async () => (await fetch(`${server.url}/metrics`)).text(),
      (text) => delivered.test(text),
    );
    expect(after).toMatch(delivered);
    expect(after).toMatch(/lakegate_event_sinks_failing\{kind="webhook"\} 0/);
    expect(after).toMatch(/lakegate_event_delivery_lag_seconds_count\{kind="webhook"\} [1-9]/);
    // The signing secret is in no log line.
    expect(await server.settledOutput()).not.toContain(created.secret!.slice(6));
  },
  10 * 60_000,
);
