/**
 * The delivery thread's checks, run against a catalog on SQLite (test/http) and on PostgreSQL (test/interop): a real
 * server built in-process with the thread on (the default), a real webhook receiver, real commits through the API.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { createStore, loadConfig } from '@lakegate/server';
import { DeliveryThread } from '../../packages/server/src/compose/delivery-thread.js';
import { DELIVERY_LEASE } from '../../packages/server/src/catalog/outbox/delivery.js';
import type { Send } from './iceberg-http.js';
import type { TestCatalog } from './in-process.js';
import { signInAdmin } from './principals.js';
import { firstOfEach, type WebhookReceiver } from './webhook-receiver.js';
import { waitFor } from './wait-for.js';

export { waitFor };

/** The catalog's bootstrap admin, signed in. */
export const adminSender = signInAdmin;

/** Every event id of the default warehouse after `after`, from the pull API, in sequence order. */
export async function pulledIds(send: Send, after: string): Promise<string[]> {
  const out: string[] = [];
  for (let cursor = after; ;) {
    const res = await send('GET', `/management/v1/events?warehouse=default&after=${cursor}&limit=500`);
    expect(res.status).toBe(200);
    out.push(...res.body.events.map((e: { id: string }) => e.id));
    cursor = res.body.next;
    if (!res.body.more) return out;
  }
}

export const metricValue = async (cat: TestCatalog, line: RegExp): Promise<number> => {
  const text = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? 0 : Number(m.split(' ').at(-1));
};

/**
 * Events reach the sink from the thread (with the public URL as their source), /metrics moves on the main thread, a
 * thread that is killed is replaced and every event arrives (at least once, in order of first arrival), and close()
 * ends the thread and releases the lease.
 */
export async function checkDeliveryThread(cat: TestCatalog, receiver: WebhookReceiver, env: Record<string, string>): Promise<void> {
  const delivery = cat.lakegate.eventDelivery;
  expect(delivery).toBeInstanceOf(DeliveryThread);
  const thread = delivery as DeliveryThread;
  const firstThread = await waitFor(
    'the thread to start',
    () => thread.threadId,
    (id) => id !== undefined,
  );
  // Background work: the thread runs under SCHED_IDLE at niceness 10 (runtime/thread-priority.ts; chrt is on every
  // machine this suite runs on), the request thread under the process's policy and niceness.
  const os = await waitFor(
    'the thread under SCHED_IDLE',
    () => thread.osThread,
    (t) => t?.policy === 'idle',
  );
  expect(os!.niceness).toBe(10);
  expect(threadSched(os!.tid)).toEqual({ niceness: 10, policy: SCHED_IDLE });
  expect(threadSched(process.pid)).toEqual({ niceness: 0, policy: SCHED_OTHER });
  const admin = await adminSender(cat);
  const start = (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next as string;
  const created = await admin('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 5_000 } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  receiver.secret = created.body.secret;

  for (let i = 0; i < 5; i += 1) expect((await admin('POST', '/v1/default/namespaces', { namespace: [`a${i}`] })).status).toBe(200);
  await waitFor(
    '5 events at the receiver',
    () => receiver.accepted.length,
    (n) => n >= 5,
  );
  expect(receiver.badSignatures).toBe(0);
  expect(receiver.accepted[0]!.body.source).toBe('https://catalog.example.test/warehouses/default');
  // The counters are the main thread's /metrics.
  expect(
    await waitFor(
      'the delivered counter',
      () => metricValue(cat, /^lakegate_events_delivered_total\{kind="webhook"\}/),
      (n) => n >= 5,
    ),
  ).toBeGreaterThanOrEqual(5);
  expect(await metricValue(cat, /^lakegate_event_delivery_lag_seconds_count\{kind="webhook"\}/)).toBeGreaterThanOrEqual(1);

  // The thread dies (terminated from outside, as a crash would end it): it is logged, another starts, nothing is lost.
  await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  for (let i = 0; i < 5; i += 1) expect((await admin('POST', '/v1/default/namespaces', { namespace: [`b${i}`] })).status).toBe(200);
  const secondThread = await waitFor(
    'another thread',
    () => thread.threadId,
    (id) => id !== undefined && id !== firstThread,
  );
  expect(secondThread).not.toBe(firstThread);
  expect(cat.logs()).toContain('the event delivery thread ended; starting another');
  const expected = await pulledIds(admin, start);
  expect(expected).toHaveLength(10);
  await waitFor(
    'all 10 events at the receiver',
    () => firstOfEach(receiver.accepted).length,
    (n) => n >= 10,
  );
  expect(firstOfEach(receiver.accepted).map((r) => r.id)).toEqual(expected);
  const sink = await waitFor(
    'the cursor at the head',
    async () => (await admin('GET', `/management/v1/warehouses/default/event-sinks/${created.body.sink.id}`)).body,
    (s) => s.pending === '0',
  );
  expect(sink.state).toBe('active');
  // No secret in what was logged.
  expect(cat.logs()).not.toContain(String(created.body.secret));

  // close(): the thread ends and the lease is released (another holder takes it at once, not after its 15 s expiry).
  await cat.lakegate.close();
  expect(thread.threadId).toBeUndefined();
  const other = await createStore(loadConfig({ env }));
  try {
    expect(await other.outbox.acquireLease(DELIVERY_LEASE, 'another-replica', Date.now(), 15_000)).toBe(true);
  } finally {
    await other.close();
  }
}

/** Linux's policy numbers (sched.h), as /proc shows them. */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** The niceness and scheduling policy of this process's thread `tid` (/proc/self/task/TID/stat, fields 19 and 41). */
export function threadSched(tid: number): { niceness: number; policy: number } {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { niceness: Number(fields[16]), policy: Number(fields[38]) };
}
