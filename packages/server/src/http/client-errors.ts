/**
 * Requests that Node's HTTP parser refuses before any route or surface sees them: a malformed request line or
 * header, Content-Length beside Transfer-Encoding (request smuggling), headers past the size limit, a request that
 * never finished arriving. Fastify's default answer says only "Client Error", in a shape of its own; this one says
 * what was wrong, in the Iceberg error model (the request was never parsed, so no surface is known, and Iceberg is
 * the catalog's main protocol). The connection is closed afterwards, as Node and Fastify do: after a parse error
 * the next request's start cannot be found.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { icebergHttpError } from './mappers/iceberg-errors.js';

const FIXED: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
};

export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string; reason?: unknown }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // llhttp's reason is one of its own fixed sentences ("Content-Length can't be present with Transfer-Encoding"), never request bytes.
  const reason = typeof error.reason === 'string' ? error.reason.replace(/[^\x20-\x7e]/g, '').slice(0, 200) : '';
  const { status, message } = FIXED[error.code ?? ''] ?? { status: 400, message: `Malformed HTTP request${reason ? `: ${reason}` : ''}` };
  this.log.debug({ code: error.code, status }, 'malformed HTTP request');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(icebergHttpError(status, 'BadRequestException', message));
  // end(), not write() then destroy(): the answer is flushed and followed by a FIN before the socket closes. Destroying
  // at once closes it with the rest of the request unread, which makes the kernel send a reset that can overtake the
  // answer (seen on Node 24: the client read ECONNRESET instead of the 400). Whatever else the client sends is read and
  // dropped until it closes its side, or for at most a second.
  socket.on('data', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
