/**
 * Requests are handed to the application once per turn of the event loop, together, right after the
 * poll phase that read them (runtime/end-of-turn.ts `atDispatch`), instead of each as its socket is read.
 *
 * Under load one poll reads the requests of several connections. Handed over one by one, each ran to
 * its end (SQLite reads are synchronous) before the next socket was even read, so nothing a request
 * checked could serve the next: every loadTable asked SQLite whether the file had changed and stat'ed
 * its metadata file by itself. Handed over together, every request of the dispatch has arrived before
 * any of them checks anything, so one check made during the dispatch answers for all of them
 * (`currentBatch()`: a commit or a deletion that finished before a request was sent finished before the
 * check). A lone request waits only for the poll phase to end: microseconds, no timer.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { atDispatch } from '../runtime/end-of-turn.js';
import { noteRequestTurn } from './write-coalescing.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Replaces the server's one `request` listener (the application's) by one that notes the turn and defers it to the turn's dispatch. */
export function dispatchRequestsPerTurn(server: Server): void {
  const listeners = server.listeners('request') as Handler[];
  if (listeners.length !== 1) throw new TypeError(`expected the application's request listener alone, found ${listeners.length}`);
  const handler = listeners[0]!;
  server.removeListener('request', handler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    noteRequestTurn(req);
    atDispatch(() => handler(req, res));
  });
}
