/**
 * JSON bodies in and out with exact 64-bit integers (see catalog/json.ts),
 * and a clear 400 for malformed JSON instead of a parser stack trace.
 */
import type { FastifyInstance } from 'fastify';
import { CatalogError } from '../../errors/catalog-error.js';
import { parseJson, stringifyJson } from '../../catalog/json.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

export function useLosslessJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/plain', 'application/x-amz-json-1.1'], { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    // Kept for authenticators that sign the body (SigV4 payload hash).
    req.rawBody = text;
    if (text.trim().length === 0) return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch (e) {
      const position = e instanceof Error ? e.message.replace(/^.*?(position \d+|at \d+).*$/i, '$1') : '';
      done(new CatalogError('ERR_BAD_REQUEST', `Malformed JSON request body${position ? ` (${position})` : ''}`), undefined);
    }
  });
  app.setReplySerializer((payload) => stringifyJson(payload));
}
