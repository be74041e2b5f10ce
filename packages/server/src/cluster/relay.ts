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

export class Relay {
  private readonly endpoints = new Map<number, Endpoint>();
  private readonly gatherings = new Map<number, Gathering>();
  private nextId = 1;

  add(endpoint: Endpoint): void {
    this.endpoints.set(endpoint.id, endpoint);
  }

  /** A worker is gone: nobody waits for its answers any more. */
  remove(id: number): void {
    this.endpoints.delete(id);
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
