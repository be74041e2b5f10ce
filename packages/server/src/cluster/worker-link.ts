/**
 * A worker's side of the cluster channel: the Coherence port over IPC, and
 * questions answered by every worker together (metrics, audit flush). The
 * channel is injected so the contract suite can run it without processes.
 */
import type { Coherence, CoherenceTopic } from '../catalog/ports/index.js';
import { CatalogError } from '../errors/catalog-error.js';
import { type ClusterMessage, type Question, isClusterMessage } from './messages.js';

/** process.send and process.on('message') of a cluster worker, or a stand-in. */
export interface Channel {
  send(message: ClusterMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

export const processChannel: Channel = {
  send: (message) => {
    // A worker whose primary is gone is shutting down (it exits on 'disconnect'): nothing to tell.
    if (process.connected) process.send!(message);
  },
  onMessage: (listener) => process.on('message', listener),
};

const ASK_TIMEOUT_MS = 10_000;
/** How long a commit waits for the cluster-wide lock before it runs anyway (the compare-and-swap still decides). */
const LOCK_WAIT_MS = 10_000;

export class WorkerLink implements Coherence {
  private readonly listeners = new Map<CoherenceTopic, Array<(key: string | undefined) => void>>();
  private readonly answerers = new Map<Question, () => Promise<unknown>>();
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private readonly waiting = new Map<number, () => void>();
  private nextId = 1;

  constructor(private readonly channel: Channel = processChannel) {
    channel.onMessage((m) => {
      if (isClusterMessage(m)) this.receive(m);
    });
  }

  announce(topic: CoherenceTopic, key?: string): void {
    this.channel.send({ lakegate: 'announce', topic, key });
  }

  on(topic: CoherenceTopic, onAnnounced: (key: string | undefined) => void): void {
    const list = this.listeners.get(topic) ?? [];
    list.push(onAnnounced);
    this.listeners.set(topic, list);
  }

  /** How this worker answers `question` for itself when the primary gathers answers. */
  answer(question: Question, answerer: () => Promise<unknown>): void {
    this.answerers.set(question, answerer);
  }

  /** The combined answer of every worker (the primary gathers and combines them). */
  ask(question: Question): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CatalogError('ERR_UNAVAILABLE', `the other workers did not answer "${question}" in time; retry`));
      }, ASK_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      this.channel.send({ lakegate: 'ask', id, question });
    });
  }

  async runExclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const id = this.nextId++;
    const granted = new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      setTimeout(resolve, LOCK_WAIT_MS).unref();
    });
    this.channel.send({ lakegate: 'lock', id, keys: [...new Set(keys)] });
    try {
      await granted;
      return await fn();
    } finally {
      this.waiting.delete(id);
      this.channel.send({ lakegate: 'unlock', id });
    }
  }

  /** Among the workers, a claim is the cluster-wide lock of its key (a worker that exits frees what it held: relay.ts). */
  claim<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.runExclusive([key], fn);
  }

  /** Tells the primary this worker accepts connections. */
  listening(url: string): void {
    this.channel.send({ lakegate: 'listening', url });
  }

  private receive(m: ClusterMessage): void {
    switch (m.lakegate) {
      case 'announce':
        for (const listener of this.listeners.get(m.topic) ?? []) listener(m.key);
        return;
      case 'gather': {
        const answerer = this.answerers.get(m.question);
        const reply = (value?: unknown, error?: string) => this.channel.send({ lakegate: 'gathered', id: m.id, value, error });
        if (!answerer) return reply(undefined, `no answer for "${m.question}"`);
        answerer().then(
          (value) => reply(value),
          (err: unknown) => reply(undefined, err instanceof Error ? err.message : String(err)),
        );
        return;
      }
      case 'granted':
        this.waiting.get(m.id)?.();
        return;
      case 'answer': {
        const waiting = this.pending.get(m.id);
        if (!waiting) return;
        this.pending.delete(m.id);
        clearTimeout(waiting.timer);
        // A worker that could not answer (or one that is gone) is an outage to retry, not a bug: 503.
        if (m.error !== undefined) waiting.reject(new CatalogError('ERR_UNAVAILABLE', `a worker could not answer: ${m.error}`));
        else waiting.resolve(m.value);
        return;
      }
      default:
        return;
    }
  }
}
