/**
 * Workers of one server joined by the primary's relay, in memory (packages/server/src/cluster/relay.ts and
 * worker-link.ts, as `serve --workers N` wires them over IPC): each message is delivered asynchronously (one
 * setImmediate a hop) and structured-cloned, as IPC does.
 */
import type { ClusterMessage } from '../../packages/server/src/cluster/messages.js';
import { Relay } from '../../packages/server/src/cluster/relay.js';
import { type Channel, WorkerLink } from '../../packages/server/src/cluster/worker-link.js';

/** N workers joined by a relay: the relay, and each worker's link (worker i at index i). */
export function relayCluster(n: number): { relay: Relay; links: WorkerLink[] } {
  const relay = new Relay();
  const links = Array.from({ length: n }, (_, id) => {
    let deliver: (m: unknown) => void = () => {};
    const endpoint = { id, send: (m: ClusterMessage) => setImmediate(() => deliver(structuredClone(m))) };
    relay.add(endpoint);
    const channel: Channel = {
      send: (m) => setImmediate(() => relay.receive(endpoint, structuredClone(m))),
      onMessage: (listener) => (deliver = listener),
    };
    return new WorkerLink(channel);
  });
  return { relay, links };
}
