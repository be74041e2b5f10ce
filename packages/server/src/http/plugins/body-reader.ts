/**
 * A request body's bytes, for the JSON body parser (json-body.ts), with Fastify's rules and errors: a body larger
 * than the limit is refused (FST_ERR_CTP_BODY_TOO_LARGE: 413, without reading it when its Content-Length says so),
 * one whose length is not its Content-Length too (FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400), and a stream error
 * (a client gone mid-body) is a 400 unless it says otherwise.
 *
 * Written here rather than left to Fastify's `parseAs: 'buffer'` for the common case it cannot see: by the time a
 * request is handled (runtime/end-of-turn.ts hands requests over after the poll phase that read them), a small
 * body has nearly always arrived whole and waits in the request stream's buffer. It is then taken with one
 * synchronous read(), instead of Fastify's data and end listeners, the switch to flowing mode and a turn of the
 * tick queue until the stream's end (together about a microsecond per sign in the signing bench's CPU profile).
 * A body still arriving (or one passed through a preParsing hook) is read with listeners, as Fastify does.
 */
import type { IncomingMessage } from 'node:http';
import { errorCodes } from 'fastify';

type Done = (error: Error | null, body?: Buffer) => void;

/** Reads all of `payload` (the request's body stream) and hands its bytes to `done`, or Fastify's error for it. */
export function readBody(raw: IncomingMessage, payload: NodeJS.ReadableStream, limit: number, done: Done): void {
  const declared = raw.headers['content-length'];
  const expected = declared === undefined ? Number.NaN : Number(declared);
  if (expected > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  if (payload === raw && raw.complete && !raw.destroyed && !raw.readableEnded && raw.readableFlowing === null) {
    // The whole message is in: the HTTP parser has checked its framing, so the bytes are exactly its body.
    const bytes = raw.readableLength === 0 ? EMPTY : readBuffered(raw);
    // What reading through the stream's _read would have noted, which this read of a finished stream skips: the
    // body was consumed, so the server need not "dump" it when the response ends (node:_http_server resOnFinish:
    // listeners removed, the stream resumed, a tick per request). Node's own field; were it renamed, the dump
    // would simply run again (nothing is left to discard either way).
    (raw as IncomingMessage & { _consuming?: boolean })._consuming = true;
    if (bytes.length > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    if (!Number.isNaN(expected) && bytes.length !== expected) return done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    return done(null, owned(bytes));
  }
  readStreaming(payload, expected, limit, done);
}

const EMPTY = Buffer.alloc(0);

/**
 * Every byte waiting in `raw`'s buffer. One read() took them all up to Node 24; from Node 26 a read() without a size
 * answers the first buffered chunk only (a body that came in several TCP segments is several chunks), so the rest is
 * read until the buffer is empty.
 */
function readBuffered(raw: IncomingMessage): Buffer {
  const first = raw.read() as Buffer;
  if (raw.readableLength === 0) return first;
  const chunks = [first];
  for (let chunk = raw.read() as Buffer | null; chunk !== null; chunk = raw.read() as Buffer | null) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The bytes in a buffer of their own: kept with the request (its rawBody), they must not hold on to a larger one. */
const owned = (bytes: Buffer): Buffer => (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? bytes : Buffer.from(bytes));

function readStreaming(payload: NodeJS.ReadableStream, expected: number, limit: number, done: Done): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = (): void => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += bytes.length;
    if (received > limit) {
      stop();
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    chunks.push(bytes);
  }
  function onEnd(error?: Error & { statusCode?: number }): void {
    stop();
    if (error != null) {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      done(error);
      return;
    }
    if (!Number.isNaN(expected) && received !== expected) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    // A copy: never a view of a buffer the stream may reuse.
    done(null, Buffer.concat(chunks, received));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}
