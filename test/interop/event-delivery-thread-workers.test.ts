/**
 * `lakegate serve --workers 2` with the delivery thread (the default): each worker process runs a delivery thread,
 * and the lease keeps one of them delivering: every event reaches a real webhook receiver once, from the holder
 * named in the lease row. When that worker process is killed, the other process's thread takes the lease once it
 * expires (6 s here) and delivers the events committed meanwhile; nothing is lost.
 *
 * Why 6 s: delivery is at least once. A holder starts a batch only with half its lease left and aborts a request
 * 500 ms before the lease ends; a webhook answer that arrives after that abort (the receiver took the event) is
 * retried, and the receiver sees that event twice, by design (same event id). With a 2 s lease that window was
 * 500 ms, which a CI machine running two JVMs beside this test exceeded once (21 receipts for 20 events). With 6 s it
 * is 2.5 s, so a duplicate here means two holders at once, the bug this test is for.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { LakegateManagement } from '@lakegate/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../support/delivery-thread.js';
import { httpSender } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { firstOfEach, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let server: ServerProcess;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startServer({ workers: 2, env: { LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50', LAKEGATE_EVENT_LEASE_SECONDS: '6' } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

const leaseHolder = (dataDir: string): string | undefined => {
  const db = new Database(path.join(dataDir, 'catalog.sqlite'), { readonly: true });
  try {
    return (db.prepare("select holder from event_leases where name = 'event-delivery'").get() as { holder: string } | undefined)?.holder;
  } finally {
    db.close();
  }
};

it('delivers each event once from the lease holder, and from the other process when the holder dies', async () => {
  const management = new LakegateManagement({ uri: server.url, properties: { credential: server.credential } });
  const created = await management.createEventSink('default', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 5_000 } });
  receiver.secret = created.secret;
  const send = httpSender(server.url, await server.token());
  for (let i = 0; i < 20; i += 1) expect((await send('POST', '/v1/default/namespaces', { namespace: [`w${i}`] })).status).toBe(200);
  await waitFor(
    '20 events',
    () => receiver.accepted.length,
    (n) => n >= 20,
  );
  // Both processes run a thread; one held the lease: no event twice.
  await new Promise((r) => setTimeout(r, 500));
  // Named on failure: which events came twice.
  const ids = receiver.accepted.map((r) => r.body.subject as string);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  expect(receiver.accepted).toHaveLength(20);
  expect(firstOfEach(receiver.accepted)).toHaveLength(20);

  const holder = leaseHolder(server.dataDir)!;
  const holderPid = Number(holder.split(':').at(-2));
  expect(holderPid).not.toBe(server.process.pid);
  process.kill(holderPid, 'SIGKILL');
  for (let i = 0; i < 10; i += 1) {
    // A request may land on the killed worker's connection while the primary notices: retried.
    await waitFor(
      `namespace v${i}`,
      async () => (await send('POST', '/v1/default/namespaces', { namespace: [`v${i}`] }).catch(() => ({ status: 0 }))).status,
      (s) => s === 200 || s === 409,
    );
  }
  await waitFor(
    '30 events',
    () => firstOfEach(receiver.accepted).length,
    (n) => n >= 30,
    30_000,
  );
  const after = leaseHolder(server.dataDir);
  expect(after).toBeDefined();
  expect(after).not.toBe(holder);
  expect(firstOfEach(receiver.accepted).map((r) => r.body.subject)).toEqual([
    ...Array.from({ length: 20 }, (_, i) => `w${i}`),
    ...Array.from({ length: 10 }, (_, i) => `v${i}`),
  ]);
  expect(receiver.badSignatures).toBe(0);
}, 120_000);
