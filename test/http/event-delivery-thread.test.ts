/**
 * Change-event delivery in its worker thread (compose/delivery-thread.ts), on the SQLite catalog: a server built
 * in-process with the default config (eventDeliveryThread "worker"), a real webhook receiver. The thread runs the
 * package's built module (dist/): build the server package before this file.
 */
import { createServer } from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { DeliveryThread } from '../../packages/server/src/compose/delivery-thread.js';
import { adminSender, checkDeliveryThread, SCHED_IDLE, SCHED_OTHER, threadSched, waitFor } from '../support/delivery-thread.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tempDir } from '../support/temp.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it('delivers from the thread, keeps /metrics on the main thread, replaces a thread that dies, releases the lease on close', async () => {
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const { dir, cleanup } = tempDir('lakegate-delivery-thread-');
  cleanups.push(cleanup);
  const env = { LAKEGATE_DATA_DIR: dir, LAKEGATE_PUBLIC_URL: 'https://catalog.example.test', LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' };
  const cat: TestCatalog = await startInProcess(env, { auth: true, dataDir: dir });
  await checkDeliveryThread(cat, receiver, { ...env, LAKEGATE_AUTH: 'required' });
}, 60_000);

it('delivers in-process when asked (eventDeliveryThread main) or when functions are injected', async () => {
  const { dir, cleanup } = tempDir('lakegate-delivery-main-');
  cleanups.push(cleanup);
  const main = await startInProcess({ LAKEGATE_EVENT_DELIVERY_THREAD: 'main' }, { dataDir: dir });
  expect(main.lakegate.eventDelivery).not.toBeInstanceOf(DeliveryThread);
  await main.lakegate.close();
  const injected = await startInProcess({}, { dataDir: dir, hostResolver: async () => ['127.0.0.1'] });
  expect(injected.lakegate.eventDelivery).not.toBeInstanceOf(DeliveryThread);
  await injected.lakegate.close();
  await expect(startInProcess({ LAKEGATE_EVENT_DELIVERY_THREAD: 'elsewhere' }, { dataDir: dir })).rejects.toThrow(
    /eventDeliveryThread must be "worker" or "main"/,
  );
});

it('terminates a thread that does not stop within the shutdown grace (a sink that never answers)', async () => {
  // A webhook that takes every request and never answers: the round in progress waits on it.
  let requests = 0;
  const hanging = createServer(() => void (requests += 1));
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  cleanups.push(
    () => new Promise((r) => hanging.close(r)),
    () => hanging.closeAllConnections(),
  );
  const { dir, cleanup } = tempDir('lakegate-delivery-grace-');
  cleanups.push(cleanup);
  const cat = await startInProcess({ LAKEGATE_SHUTDOWN_GRACE_SECONDS: '1', LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' }, { auth: true, dataDir: dir });
  const thread = cat.lakegate.eventDelivery as DeliveryThread;
  expect(thread).toBeInstanceOf(DeliveryThread);
  const admin = await adminSender(cat);
  const port = (hanging.address() as { port: number }).port;
  expect(
    (
      await admin('POST', '/management/v1/warehouses/default/event-sinks', {
        kind: 'webhook',
        config: { url: `http://127.0.0.1:${port}/hook`, 'timeout-ms': 60_000 },
      })
    ).status,
  ).toBe(201);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['g'] })).status).toBe(200);
  await waitFor(
    'the thread to be sending',
    () => requests,
    (n) => n >= 1,
  );
  const started = Date.now();
  await cat.lakegate.close();
  // The grace (1 s) and the termination, not the sink's 60 s timeout nor the lease's 15 s: left alone, the attempt in
  // progress would only be aborted 0.5 s before the end of the lease it took when the sink was added (delivery.ts),
  // some 14 s from here. 10 s leaves a loaded machine 9 s of slowness and still tells the two apart (and the log line
  // below says the thread was terminated).
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(thread.threadId).toBeUndefined();
  expect(cat.logs()).toContain('the event delivery thread did not stop within the shutdown grace; terminated');
}, 30_000);

it('leaves SCHED_IDLE while delivery is behind (a sink that was down) and goes back once it has caught up', async () => {
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const { dir, cleanup } = tempDir('lakegate-delivery-behind-');
  cleanups.push(cleanup);
  const cat = await startInProcess({ LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' }, { auth: true, dataDir: dir });
  cleanups.push(() => cat.lakegate.close());
  const thread = cat.lakegate.eventDelivery as DeliveryThread;
  const os = await waitFor(
    'the thread under SCHED_IDLE',
    () => thread.osThread,
    (t) => t?.policy === 'idle',
  );
  const admin = await adminSender(cat);
  const created = await admin('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 5_000 } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  receiver.secret = created.body.secret;

  // The receiver refuses for 2.5 s: the events committed meanwhile arrive ≥ 2 s after their commit (the retry backs
  // off 1 s, then 2 s), a lag at which the thread competes at niceness 10 again.
  receiver.failing = true;
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['late'] })).status).toBe(200);
  await waitFor(
    'a refused attempt',
    () => receiver.refused,
    (n) => n >= 1,
  );
  await new Promise((r) => setTimeout(r, 2_500));
  receiver.failing = false;
  await waitFor(
    'the late event',
    () => receiver.accepted.length,
    (n) => n >= 1,
  );
  await waitFor(
    'the thread at normal priority',
    () => thread.osThread,
    (t) => t?.policy === 'normal',
  );
  expect(threadSched(os!.tid)).toEqual({ niceness: 10, policy: SCHED_OTHER });
  expect(cat.logs()).toContain('event delivery is behind; it runs at normal priority until it catches up');

  // An event delivered at once: back to SCHED_IDLE.
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['prompt'] })).status).toBe(200);
  await waitFor(
    'the prompt event',
    () => receiver.accepted.length,
    (n) => n >= 2,
  );
  // The thread goes back only after a delivery whose lag is below 0.5 s (delivery-thread-entry.ts), and on a loaded
  // machine one delivery may well take longer. So while it is not back, each poll commits one more event: the first
  // delivery that is prompt enough brings it back, as it would in production where events keep coming.
  let more = 0;
  await waitFor(
    'the thread back under SCHED_IDLE',
    async () => {
      const t = thread.osThread;
      if (t?.policy !== 'idle') expect((await admin('POST', '/v1/default/namespaces', { namespace: [`prompt${(more += 1)}`] })).status).toBe(200);
      return t;
    },
    (t) => t?.policy === 'idle',
  );
  expect(threadSched(os!.tid)).toEqual({ niceness: 10, policy: SCHED_IDLE });
  expect(threadSched(process.pid)).toEqual({ niceness: 0, policy: SCHED_OTHER });
}, 60_000);
