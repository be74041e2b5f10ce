/**
 * The Arrow IPC request body of Lance CreateTable (`application/vnd.apache.arrow.stream`, issue 58): read as bytes,
 * bounded by the server's body limit (`bodyLimitBytes`): a larger body is refused with 413 before it is read in full,
 * in the surface's error model. The bytes are checked as a stream by the catalog's writer (a malformed one is a 400).
 */
import type { FastifyInstance } from 'fastify';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export function useArrowBody(app: FastifyInstance): void {
  app.addContentTypeParser(ARROW_STREAM, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}
