/**
 * Change-event delivery in its worker thread on the PostgreSQL catalog (Debian's postgresql, started by this file on
 * 127.0.0.1): the thread opens its own small pool; the same checks as on SQLite (test/support/delivery-thread.ts).
 * The thread runs the package's built module (dist/).
 */
import { afterAll, it } from 'vitest';
import { checkDeliveryThread } from '../support/delivery-thread.js';
import { startInProcess } from '../support/in-process.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { tempDir } from '../support/temp.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const cluster = usePostgresCluster('lakegate-delivery-thread-pg-');
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it('delivers from the thread on PostgreSQL, replaces a thread that dies, releases the lease on close', async () => {
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const { dir, cleanup } = tempDir('lakegate-delivery-thread-pg-data-');
  cleanups.push(cleanup);
  const env = {
    LAKEGATE_DATA_DIR: dir,
    LAKEGATE_DATABASE: cluster.database('relay'),
    LAKEGATE_PUBLIC_URL: 'https://catalog.example.test',
    LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50',
  };
  const cat = await startInProcess(env, { auth: true, dataDir: dir });
  await checkDeliveryThread(cat, receiver, { ...env, LAKEGATE_AUTH: 'required' });
}, 120_000);
