/**
 * Change-event delivery in its worker thread (compose/delivery-thread.ts), on the SQLite catalog: a server built
 * in-process with the default config (eventDeliveryThread "worker"), a real webhook receiver. The thread runs the
 * package's built module (dist/): build the server package before this file.
 */
import { afterAll, expect, it } from 'vitest';
import { DeliveryThread } from '../../packages/server/src/compose/delivery-thread.js';
import { checkDeliveryThread } from '../support/delivery-thread.js';
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
  await expect(startInProcess({ LAKEGATE_EVENT_DELIVERY_THREAD: 'elsewhere' }, { dataDir: dir })).rejects.toThrow(/eventDeliveryThread must be "worker" or "main"/);
});
