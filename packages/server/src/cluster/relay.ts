/**
 * The primary's side of the cluster channel, apart from processes (so the
 * contract suite drives it directly): it passes each announcement to every
 * other worker and answers a worker's question by gathering every worker's
 * own answer and combining them.
 */
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { ClusterMessage, Question } from './messages.js';

export interface Endpoint {
  readonly id: number;
  send(message: ClusterMessage): void;
}

const GATHER_TIMEOUT_MS = 5_000;

/** How the answers of every worker become one. */
const COMBINE: Record<Question, (answers: unknown[]) => Promise<unknown>> = {
  // Counters and histograms summed, gauges as prom-client's cluster aggregation defines them (its own aggregators).
  metrics: (answers) => AggregatorRegistry.aggregate(answers as Array<MetricObjectWithValues<MetricValue<string>>[]>).metrics(),
  'flush-audit': async () => null,
};

interface Gathering {
  asker: Endpoint;
  askerId: number;
  question: Question;
  waiting: Set<number>;
  answers: unknown[];
  timer: NodeJS.Timeout;
}

/** A worker's request for the keys it needs at once (see Coherence.runExclusive). */
interface LockRequest {
  endpoint: Endpoint;
  id: number;
  keys: string[];
  granted?: boolean;
}

export class Relay {
  private readonly endpoints = new Map<number, Endpoint>();
  /**
   * Per key, the requests for it in arrival order; a request holds its keys when it heads every one of their
   * queues. A request joins all its queues at once, so every queue orders requests the same way and the oldest
   * waiting request always heads all of its queues: no deadlock, first come first served.
   */
  private readonly queues = new Map<string, LockRequest[]>();
  private readonly requests = new Map<string, LockRequest>();
  private readonly gatherings = new Map<number, Gathering>();
  private nextId = 1;

  add(endpoint: Endpoint): void {
    this.endpoints.set(endpoint.id, endpoint);
  }

  /** A worker is gone: nobody waits for its answers any more, and the keys it held or waited for are free. */
  remove(id: number): void {
    this.endpoints.delete(id);
    for (const r of [...this.requests.values()]) if (r.endpoint.id === id) this.unlock(r);
    for (const [gid, g] of this.gatherings) {
      if (g.waiting.delete(id)) this.settle(gid, g);
    }
  }

  receive(from: Endpoint, m: ClusterMessage): void {
    switch (m.lakegate) {
      case 'announce':
        for (const e of this.endpoints.values()) if (e.id !== from.id) e.send(m);
        return;
      case 'ask':
        return this.gather(from, m.id, m.question);
      case 'lock': {
        const request: LockRequest = { endpoint: from, id: m.id, keys: m.keys };
        this.requests.set(`${from.id}:${m.id}`, request);
        for (const key of m.keys) {
          const queue = this.queues.get(key) ?? [];
          queue.push(request);
          this.queues.set(key, queue);
        }
        this.grantIfHead(request);
        return;
      }
      case 'unlock': {
        const request = this.requests.get(`${from.id}:${m.id}`);
        if (request) this.unlock(request);
        return;
      }
      case 'gathered': {
        const g = this.gatherings.get(m.id);
        if (!g || !g.waiting.delete(from.id)) return;
        if (m.error !== undefined) {
          this.finish(m.id, g, { error: m.error });
          return;
        }
        g.answers.push(m.value);
        this.settle(m.id, g);
        return;
      }
      default:
        return;
    }
  }

  /** Removes a request from its queues (held or waiting) and grants those that now head all of theirs. */
  private unlock(request: LockRequest): void {
    this.requests.delete(`${request.endpoint.id}:${request.id}`);
    const next = new Set<LockRequest>();
    for (const key of request.keys) {
      const queue = this.queues.get(key);
      if (!queue) continue;
      const i = queue.indexOf(request);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.queues.delete(key);
      else next.add(queue[0]!);
    }
    for (const r of next) this.grantIfHead(r);
  }

  private grantIfHead(request: LockRequest): void {
    if (request.granted || !request.keys.every((k) => this.queues.get(k)?.[0] === request)) return;
    request.granted = true;
    request.endpoint.send({ lakegate: 'granted', id: request.id });
  }

  private gather(asker: Endpoint, askerId: number, question: Question): void {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      const g = this.gatherings.get(id);
      if (g) this.finish(id, g, { error: `${g.waiting.size} worker(s) did not answer "${question}" in time` });
    }, GATHER_TIMEOUT_MS);
    timer.unref();
    const g: Gathering = { asker, askerId, question, waiting: new Set(this.endpoints.keys()), answers: [], timer };
    this.gatherings.set(id, g);
    for (const e of this.endpoints.values()) e.send({ lakegate: 'gather', id, question });
    this.settle(id, g);
  }

  private settle(id: number, g: Gathering): void {
    if (g.waiting.size > 0) return;
    // Taken off the table now, so a late timeout or a worker's exit cannot answer twice.
    this.gatherings.delete(id);
    clearTimeout(g.timer);
    COMBINE[g.question](g.answers).then(
      (value) => this.finish(id, g, { value }),
      (err: unknown) => this.finish(id, g, { error: err instanceof Error ? err.message : String(err) }),
    );
  }

  private finish(id: number, g: Gathering, outcome: { value?: unknown; error?: string }): void {
    this.gatherings.delete(id);
    clearTimeout(g.timer);
    g.asker.send({ lakegate: 'answer', id: g.askerId, ...outcome });
  }
}
