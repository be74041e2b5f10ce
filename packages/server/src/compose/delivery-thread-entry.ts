/**
 * Composition root of the event delivery thread (compose/delivery-thread.ts starts it): opens its own store on the
 * database the main thread has already migrated (no migration here), builds the delivery exactly as the main thread
 * would (compose/delivery.ts), and runs it until told to stop. Metrics and warnings go to the main thread as
 * messages; the secret key in workerData only opens sink secrets and is never logged or posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../catalog/ports/index.js';
import { LagGovernor, lowerOwnThreadPriority, setThreadPolicy } from '../runtime/thread-priority.js';
import { SecretBox } from '../security/secret-box.js';
import { buildDelivery } from './delivery.js';
import type { FromThread, ThreadData, ToThread } from './delivery-thread.js';
import { createStore } from './store.js';

/** PostgreSQL connections of the thread: a round runs its statements one after another. */
const POOL_SIZE = 2;
/** The thread's niceness (the request thread keeps the process's, 0 by default), where SCHED_IDLE is not to be had. */
const NICENESS = 10;
/** Delivery lag (seconds) at which the thread leaves SCHED_IDLE, and below which it goes back (runtime/thread-priority.ts). */
const RAISE_AT_LAG_S = 2;
const LOWER_BELOW_LAG_S = 0.5;

const port = parentPort;
if (!port) throw new TypeError('delivery-thread-entry runs in a worker thread');
const data = workerData as ThreadData;
const post = (m: FromThread) => port.postMessage(m);
let baseUrl = data.baseUrl;

const store = await createStore(data.config, undefined, POOL_SIZE);
const delivery = buildDelivery(data.config, {
  outbox: store.outbox,
  repository: store.repository,
  box: new SecretBox(data.secretKey),
  clock: systemClock,
  baseUrl: () => baseUrl,
  holder: data.holder,
  metrics: {
    delivered: (kind, count, lagSeconds) => {
      governor?.observe(lagSeconds);
      post({ type: 'delivered', kind, count, lagSeconds });
    },
    failed: (kind) => post({ type: 'failed', kind }),
  },
  // Details are strings and numbers (delivery.ts); anything else is posted as its text.
  warn: (message, detail) =>
    post({
      type: 'warn',
      message,
      detail: Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? v : String(v)])),
    }),
});

port.on('message', (m: ToThread) => {
  if (m.type === 'base-url') baseUrl = m.url;
  if (m.type === 'stop') {
    void delivery
      .stop()
      .then(() => store.close())
      .catch((err: unknown) =>
        post({ type: 'warn', message: 'stopping the event delivery thread failed', detail: { err: err instanceof Error ? err.message : String(err) } }),
      )
      .finally(() => {
        post({ type: 'stopped' });
        port.close();
      });
  }
});
// Delivery is background work. First at niceness 10 (the kernel gives the request thread the CPU first when both want
// it), then, where the system lets it, under SCHED_IDLE: the kernel also preempts a delivery round at once when a
// request arrives, instead of letting it finish its time slice, so the commits' tail latency no longer carries the
// rounds (docs/benchmarks-event-sinks.md). A thread that falls behind by RAISE_AT_LAG_S (a CPU kept busy by requests
// leaves SCHED_IDLE almost nothing) goes back to niceness 10 until it has caught up.
const tid = lowerOwnThreadPriority(NICENESS);
const governor =
  tid === undefined
    ? undefined
    : new LagGovernor({
        set: (policy) => setThreadPolicy(tid, policy, NICENESS),
        raiseAtSeconds: RAISE_AT_LAG_S,
        lowerBelowSeconds: LOWER_BELOW_LAG_S,
        changed: (policy, lagSeconds) => {
          post({ type: 'priority', tid, niceness: NICENESS, policy });
          if (policy === 'normal')
            post({
              type: 'warn',
              message: 'event delivery is behind; it runs at normal priority until it catches up',
              detail: { lagSeconds: Math.round(lagSeconds * 10) / 10 },
            });
        },
      });
if (tid !== undefined) {
  post({ type: 'priority', tid, niceness: NICENESS, policy: 'normal' });
  void governor?.start();
}
delivery.start();
