/**
 * Stops kafkajs 2.2.4 from keeping a 1 ms timer running for as long as a connection is open.
 *
 * kafkajs's per-connection RequestQueue re-checks its queue of pending requests on a timer after every answered request
 * (`scheduleCheckPendingRequests`). The delay it computes is `throttledUntil - Date.now()`, and `throttledUntil` is
 * -1 unless the broker throttled the client, so with nothing pending the delay is about minus the epoch: Node clamps
 * it to 1 ms (and Node 24 reports it as `TimeoutNegativeWarning`), and the timer's callback schedules the next one the
 * same way. A connected producer therefore woke the server's event loop about 800 times a second, idle or not
 * (measured: 2,434 timers and 50 ms of CPU in 3 idle seconds; fewer than 20 timers a second with this patch), taking
 * CPU and event-loop turns from the commits on the same thread. Upstream: https://github.com/tulios/kafkajs/issues/1751
 * (open; the proposed fixes, pull requests 1755 and 1756, clamp the delay to 0 and so keep the loop; 2.2.4 is kafkajs's
 * latest release). No other maintained client is a drop-in replacement, so this is patched here.
 *
 * The patch: schedule the check only when requests are pending. With none, the check it would run does nothing (its
 * loop sends pending requests) except schedule the next timer; a request that cannot be sent at once is queued by
 * push(), which schedules the check itself (after the throttle, or in 10 ms), and an answered request runs the check
 * directly. So queued requests are sent exactly as before. Applied once, to the version it was written for: another
 * kafkajs version is left as it is (test/interop/kafka-timers.test.ts fails then, so the patch is looked at again).
 */
import { createRequire } from 'node:module';

interface RequestQueueLike {
  pending: unknown[];
}
type Schedule = (this: RequestQueueLike) => void;

const PATCHED = Symbol.for('lakegate.kafkajs.scheduleCheckPendingRequests');
const PATCHED_VERSION = '2.2.4';

/** True when the patch is in place (applied now or before). */
export function patchKafkajsRequestQueue(): boolean {
  const require = createRequire(import.meta.url);
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: Record<string | symbol, unknown> };
  const proto = RequestQueue.prototype;
  if (proto[PATCHED]) return true;
  const original = proto.scheduleCheckPendingRequests as Schedule | undefined;
  if (typeof original !== 'function') return false;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike): void {
    if (this.pending.length > 0) original.call(this);
  };
  proto[PATCHED] = true;
  return true;
}
