/**
 * Work left for the end of the event loop's current turn: one `setImmediate` for all of it, run right
 * after the poll phase that read the sockets, so nothing waits for a timer or another poll.
 *
 * Two phases, in this order:
 * - `send`: requests to backends (the PostgreSQL read groups of persistence/postgres/batched-reads.ts),
 *   so the database starts on them at once;
 * - `write`: responses to clients (http/write-coalescing.ts), written back to back while it works.
 *
 * Work added while the queue runs (a write's callback letting the stream's next chunk go, a send whose
 * answer comes back synchronously) waits for the next turn's run, as a `setImmediate` scheduled from
 * within one would.
 *
 * Written by hand: Node has one immediate queue and no notion of phases within it.
 */
export type TurnPhase = 'send' | 'write';

const queues: Record<TurnPhase, Array<() => void>> = { send: [], write: [] };
let scheduled = false;

function run(): void {
  scheduled = false;
  const sends = queues.send.splice(0, queues.send.length);
  const writes = queues.write.splice(0, queues.write.length);
  // Both phases run in full whatever throws; the turn's first error is thrown after them.
  const sendFailure = runAll(sends);
  const writeFailure = runAll(writes);
  const failure = sendFailure ?? writeFailure;
  if (failure) throw failure.error;
}

/** Runs every piece of `work`; its first error is returned, not thrown. */
function runAll(work: Array<() => void>): { error: unknown } | undefined {
  let failure: { error: unknown } | undefined;
  for (const piece of work) {
    try {
      piece();
    } catch (error) {
      // As from its own setImmediate: the error is uncaught, but the other work of the turn still runs.
      failure ??= { error };
    }
  }
  return failure;
}

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    setImmediate(run);
  }
}

/** The current turn's token: the same object until this turn's queue runs, a new one after. */
let token: object | undefined;

/**
 * A token for the current turn (one object until the end of the turn): something stamped with it
 * happened in this turn exactly when `currentTurn()` still returns the same object.
 */
export function turnToken(): object {
  if (token === undefined) {
    token = {};
    // Cleared before anything else of the run, so work the run triggers belongs to the next turn.
    queues.send.unshift(endTurn);
    schedule();
  }
  return token;
}

function endTurn(): void {
  token = undefined;
}

/** The current turn's token if one was taken (`turnToken()`), else undefined. */
export function currentTurn(): object | undefined {
  return token;
}

/** Runs `work` at the end of the current turn, in `phase`. */
export function atEndOfTurn(phase: TurnPhase, work: () => void): void {
  queues[phase].push(work);
  schedule();
}
