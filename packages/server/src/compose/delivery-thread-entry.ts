/**
 * Composition root of the event delivery thread (compose/delivery-thread.ts starts it): opens its own store on the
 * database the main thread has already migrated (no migration here), builds the delivery exactly as the main thread
 * would (compose/delivery.ts), and runs it until told to stop. Metrics and warnings go to the main thread as
 * messages; the secret key in workerData only opens sink secrets and is never logged or posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../catalog/ports.js';
import { lowerOwnThreadPriority } from '../runtime/thread-priority.js';
import { SecretBox } from '../security/secret-box.js';
import { buildDelivery } from './delivery.js';
import type { FromThread, ThreadData, ToThread } from './delivery-thread.js';
import { createStore } from './store.js';

/** PostgreSQL connections of the thread: a round runs its statements one after another. */
const POOL_SIZE = 2;
/** The thread's niceness (the request thread keeps the process's, 0 by default). */
const NICENESS = 10;

const port = parentPort;
if (!port) throw new TypeError('delivery-thread-entry runs in a worker thread');
const data = workerData as ThreadData;
const post = (m: FromThread) => port.postMessage(m);
let baseUrl = data.baseUrl;

const store = createStore(data.config, undefined, POOL_SIZE);
const delivery = buildDelivery(data.config, {
  outbox: store.outbox,
  repository: store.repository,
  box: new SecretBox(data.secretKey),
  clock: systemClock,
  baseUrl: () => baseUrl,
  holder: data.holder,
  metrics: {
    delivered: (kind, count, lagSeconds) => post({ type: 'delivered', kind, count, lagSeconds }),
    failed: (kind) => post({ type: 'failed', kind }),
  },
  // Details are strings and numbers (delivery.ts); anything else is posted as its text.
  warn: (message, detail) => post({ type: 'warn', message, detail: Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? v : String(v)])) }),
});

port.on('message', (m: ToThread) => {
  if (m.type === 'base-url') baseUrl = m.url;
  if (m.type === 'stop') {
    void delivery
      .stop()
      .then(() => store.close())
      .catch((err: unknown) => post({ type: 'warn', message: 'stopping the event delivery thread failed', detail: { err: err instanceof Error ? err.message : String(err) } }))
      .finally(() => {
        post({ type: 'stopped' });
        port.close();
      });
  }
});
// Delivery is background work: at niceness 10 the kernel gives the request thread the CPU first when both want it, so
// a delivery round (reading and encoding a batch, a few ms) no longer delays the commits that arrive meanwhile
// (docs/benchmarks-event-sinks.md); delivery takes the time left, its lag well inside its aim.
const tid = lowerOwnThreadPriority(NICENESS);
if (tid !== undefined) post({ type: 'priority', tid, niceness: NICENESS });
delivery.start();
