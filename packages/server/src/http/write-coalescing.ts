/**
 * Response writes of one event-loop turn leave together, at the end of the turn.
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
 * a few microseconds at most, and no timer is involved. The stream contract is kept: a socket's `_write`/`_writev` may complete asynchronously,
 * and the stream buffers anything written meanwhile, in order.
 *
 * Written by hand: no library does this. Node's `cork()` cannot, because `OutgoingMessage.end()`
 * uncorks the socket fully.
 */
import type { Socket } from 'node:net';
import { atEndOfTurn } from '../runtime/end-of-turn.js';

type WriteCallback = (error?: Error | null) => void;

const later = (write: () => void): void => atEndOfTurn('write', write);

/** Makes `socket`'s writes leave at the end of the current event-loop turn, with the other responses of the turn. */
export function coalesceWrites(socket: Socket): void {
  const write = socket._write;
  const writev = socket._writev;
  socket._write = function coalescedWrite(this: Socket, chunk: unknown, encoding: BufferEncoding, callback: WriteCallback) {
    later(() => write.call(this, chunk, encoding, callback));
  };
  if (writev) {
    socket._writev = function coalescedWritev(this: Socket, chunks: Array<{ chunk: unknown; encoding: BufferEncoding }>, callback: WriteCallback) {
      later(() => writev.call(this, chunks, callback));
    };
  }
}
