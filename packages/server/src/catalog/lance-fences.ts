/**
 * Optimize's fences as the other processes see them (issue 59: "the Lance fence does not reach across replicas").
 *
 * A fence (lance-commit-queue.ts) holds the table's queue in the process that raised it, and with it the other
 * workers of its server (Coherence.runExclusive); a replica on the same database shares no queue with it. So the
 * holder also announces the fence over Coherence (topic `lance-fences`: every worker over IPC, every replica over
 * PostgreSQL's LISTEN/NOTIFY) with its bound, and announces it again when it comes down (landed, released, lapsed).
 * A process that heard it makes its commits of that table and branch wait, inside their queue, until it hears the
 * fence come down or the bound passes, whichever is first.
 *
 * Why the bound is kept by the listener: the holder may die mid-fence (killed, its connection cut), and then nothing
 * more is heard of it. A listener's wait therefore ends by its own timer, started when it heard the fence, after the
 * holder's bound or its own `fenceMs`, whichever is shorter: no writer waits past the bound, whatever became of the
 * holder. An optimisation, as the queue is: a raise heard late (or not at all, while a replica's listening connection
 * is down) lets a commit race as before, and the head's compare-and-swap still decides.
 *
 * Each fence has an id: an announcement heard twice (a worker hears its server's both over IPC and over PostgreSQL)
 * changes nothing, and a raise heard after its lowering (the two channels are not ordered with each other) is ignored.
 */
import { randomUUID } from 'node:crypto';
import type { Coherence } from './ports/index.js';

/** What travels as the announcement's key (JSON). */
interface FenceNotice {
  /** The fence's id. */
  f: string;
  /** The queue's key of the table's branch (LanceCommitQueue.key). */
  q: string;
  /** Up (with its bound in ms, `b`), or down. */
  s: 'up' | 'down';
  b?: number;
}

/** A fence of another process, heard and not yet down. */
interface HeardFence {
  key: string;
  down: Promise<void>;
  lower: () => void;
}

/** Ids of fences heard down, kept so that a raise heard after its lowering is ignored (oldest forgotten first). */
const REMEMBERED_DOWN = 1_000;

/** The key of an announcement that `fence` is up, bounded by `boundMs` (exported for tests that play a holder). */
export function fenceUpNotice(fence: string, key: string, boundMs: number): string {
  return JSON.stringify({ f: fence, q: key, s: 'up', b: boundMs } satisfies FenceNotice);
}

function parse(text: string | undefined): FenceNotice | undefined {
  if (text === undefined) return undefined; // "everything changed" after a lost connection: nothing to lower or raise
  try {
    const n = JSON.parse(text) as FenceNotice;
    if (typeof n.f !== 'string' || typeof n.q !== 'string' || (n.s !== 'up' && n.s !== 'down')) return undefined;
    if (n.s === 'up' && (typeof n.b !== 'number' || !(n.b >= 0))) return undefined;
    return n;
  } catch {
    return undefined;
  }
}

export class LanceFences {
  private readonly heard = new Map<string, HeardFence>();
  private readonly down = new Set<string>();

  constructor(
    private readonly coherence: Coherence,
    /** This process's own bound: it never waits longer for a fence of another, nor at all when 0. */
    private readonly fenceMs: number,
  ) {
    coherence.on('lance-fences', (key) => this.hear(parse(key)));
  }

  /** Tells the other processes that a fence of this one is up on `key`, for `boundMs` at most; returns its id. */
  raise(key: string, boundMs: number): string {
    const fence = randomUUID();
    this.coherence.announce('lance-fences', fenceUpNotice(fence, key, boundMs));
    return fence;
  }

  /** Tells them it came down. */
  lower(key: string, fence: string): void {
    this.coherence.announce('lance-fences', JSON.stringify({ f: fence, q: key, s: 'down' } satisfies FenceNotice));
  }

  /** How many fences of other processes this one knows to be up (a test's way to tell a raise was heard). */
  get up(): number {
    return this.heard.size;
  }

  /**
   * Waits until no fence of another process is up on any of `keys` (each ends when heard down or at its bound);
   * `waiting` is told of each fence it waits for, before it waits.
   */
  async wait(keys: readonly string[], waiting?: (key: string) => void): Promise<void> {
    for (;;) {
      const fence = [...this.heard.values()].find((f) => keys.includes(f.key));
      if (fence === undefined) return;
      waiting?.(fence.key);
      await fence.down;
    }
  }

  private hear(notice: FenceNotice | undefined): void {
    if (notice === undefined) return;
    if (notice.s === 'down') {
      this.remember(notice.f);
      this.heard.get(notice.f)?.lower();
      return;
    }
    const boundMs = Math.min(notice.b!, this.fenceMs);
    if (boundMs <= 0 || this.down.has(notice.f) || this.heard.has(notice.f)) return;
    let lower!: () => void;
    const down = new Promise<void>((resolve) => (lower = resolve));
    const timer = setTimeout(() => fence.lower(), boundMs);
    timer.unref?.();
    const fence: HeardFence = {
      key: notice.q,
      down,
      lower: () => {
        clearTimeout(timer);
        // Remembered however it came down: a copy of its raise heard later (the other channel) raises nothing.
        this.remember(notice.f);
        if (this.heard.get(notice.f) === fence) this.heard.delete(notice.f);
        lower();
      },
    };
    this.heard.set(notice.f, fence);
  }

  private remember(fence: string): void {
    this.down.add(fence);
    if (this.down.size > REMEMBERED_DOWN) this.down.delete(this.down.values().next().value!);
  }
}
