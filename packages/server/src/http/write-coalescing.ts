/**
 * Responses answered in the turn their request arrived leave together, at the end of the turn.
 *
 * Under load, one turn of the event loop reads the requests of several connections and answers each
 * of them before reading the next (SQLite reads are synchronous; cached answers need no I/O at all).
 * Written one by one, ~30 µs apart, each response wakes the client anew: the kernel's wake-up of a
 * sleeping reader on another CPU cost ~3.5 µs of this process's CPU per response on this machine
 * (perf: `sock_def_readable` under `writev`), more than Fastify's routing. Written back to back at the
 * end of the turn, the first write wakes the client and the next ones find it awake.
 *
 * Nothing is held beyond the turn (runtime/end-of-turn.ts: right after the poll phase that read the
 * requests, after the turn's database requests have gone), so a lone request (one connection) waits
 * a few microseconds at most, and no timer is involved. The stream contract is kept: a socket's
 * `_write`/`_writev` may complete asynchronously, and the stream buffers anything written meanwhile,
 * in order (a large streamed body goes one buffered group per turn).
 *
 * Written by hand: no library does this. Node's `cork()` cannot, because `OutgoingMessage.end()`
 * uncorks the socket fully.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { atEndOfTurn, currentTurn, turnToken } from '../runtime/end-of-turn.js';

type WriteCallback = (error?: Error | null) => void;

/** The turn in which the socket's latest request arrived. */
const arrived = Symbol('lakegate.requestTurn');
type TrackedSocket = Socket & { [arrived]?: object | undefined };

/** Whether a write on `socket` now answers a request of this very turn (and so may wait for the turn's end). */
const answersThisTurn = (socket: TrackedSocket): boolean => socket[arrived] !== undefined && socket[arrived] === currentTurn();

/**
 * Makes `socket`'s writes that answer a request of the current turn leave at the end of the turn, with
 * the turn's other such responses. A response that had to wait for I/O (a PostgreSQL read: one
 * database answer completes a whole group of requests, whose responses are then written together
 * anyway) is written at once: holding it would only delay its client.
 */
export function coalesceWrites(socket: Socket): void {
  const tracked = socket as TrackedSocket;
  tracked[arrived] = undefined;
  const write = socket._write;
  const writev = socket._writev;
  /** The one rule: a write answering a request of this turn waits for the turn's end, any other goes now. */
  const writeNowOrAtEndOfTurn = (call: () => void): void => {
    if (answersThisTurn(tracked)) atEndOfTurn('write', call);
    else call();
  };
  socket._write = function coalescedWrite(this: Socket, chunk: unknown, encoding: BufferEncoding, callback: WriteCallback) {
    writeNowOrAtEndOfTurn(() => write.call(this, chunk, encoding, callback));
  };
  if (writev) {
    socket._writev = function coalescedWritev(this: Socket, chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, callback: WriteCallback) {
      writeNowOrAtEndOfTurn(() => writev.call(this, chunks, callback));
    };
  }
}

/** Notes the turn in which a request arrived on its socket (a listener of the server's `request` event, before the application's). */
export function noteRequestTurn(req: IncomingMessage): void {
  (req.socket as TrackedSocket)[arrived] = turnToken();
}
