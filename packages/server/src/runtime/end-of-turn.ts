/**
 * Work left for the end of the event loop's current turn, run right after the poll phase that read the
 * sockets, so nothing waits for a timer or another poll. Two immediates per turn, queued together by the
 * turn's first piece of work, so nothing can run between them but the microtasks of the first:
 *
 * 1. `dispatch`: the requests read in this turn's poll phase (http/turn-dispatch.ts) are handed to the
 *    application one after the other. Node then runs their microtasks, which is everything each request
 *    does until it waits for real I/O: on SQLite, and for cached answers, the whole request. While they
 *    run, `currentBatch()` names the dispatch: every one of its requests had arrived before the
 *    dispatch began, so one check made during it (a database's version, a file's existence) answers for
 *    all of them (runtime/per-dispatch.ts).
 * 2. `run`, in two phases, in this order:
 *    - `send`: requests to backends (the PostgreSQL read groups of persistence/postgres/batched-reads.ts),
 *      so the database starts on them at once;
 *    - `write`: responses to clients (http/write-coalescing.ts), written back to back while it works.
 *
 * Work added while `run` runs (a write's callback letting the stream's next chunk go, a send whose
 * answer comes back synchronously) waits for the next turn, as a `setImmediate` scheduled from within
 * one would.
 *
 * Written by hand: Node has one immediate queue and no notion of phases within it.
 */
export type TurnPhase = 'send' | 'write';

const queues: Record<TurnPhase, Array<() => void>> = { send: [], write: [] };
let scheduled = false;

/** The requests read in this turn, in arrival order, for its dispatch. */
const arrivals: Array<() => void> = [];
/** The dispatch whose requests (and their microtasks) are running, from its start until `run`; see currentBatch(). */
let batch: object | undefined;

function dispatch(): void {
  batch = {};
  const failure = runAll(arrivals.splice(0, arrivals.length));
  if (failure) throw failure.error;
}

function run(): void {
  scheduled = false;
  batch = undefined;
  // Requests handed over after this turn's dispatch (none arrive from sockets then): the next turn's.
  if (arrivals.length > 0) schedule();
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
    // Both at once, in this order: whatever the first work of the turn is, the turn's requests are
    // dispatched before its sends and writes run, and Node drains the microtasks in between.
    setImmediate(dispatch);
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

/** Hands a request to the application in this turn's dispatch, once the turn's sockets have all been read. */
export function atDispatch(work: () => void): void {
  arrivals.push(work);
  schedule();
}

/**
 * A token for the dispatch now running, from the moment it starts until the turn's sends and writes run;
 * undefined at any other time (in particular when a request resumes after waiting for I/O, and for
 * requests not received through the server's sockets, such as `inject()`).
 *
 * Every request of one dispatch had been read from its socket before the dispatch began. So a fact
 * checked once during a dispatch (a database's version, a file's existence) holds for each of its
 * requests exactly as if each had checked it itself at that moment: whatever had finished before any
 * of them was sent had finished before the check.
 */
export function currentBatch(): object | undefined {
  return batch;
}
