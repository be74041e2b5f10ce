/**
 * JSON bodies in and out with exact 64-bit integers (see catalog/json.ts),
 * and a clear 400 for malformed JSON instead of a parser stack trace.
 */
import type { FastifyInstance } from 'fastify';
import { CatalogError } from '../../errors/catalog-error.js';
import { JsonInputError, parseJsonInput, stringifyJson } from '../../catalog/json.js';
import { readBody } from './body-reader.js';

/** Fastify's own default, for an instance built without a bodyLimit. */
const DEFAULT_BODY_LIMIT = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's exact bytes, for authenticators that sign the body (SigV4 payload hash). */
    rawBody?: Uint8Array;
  }
}

export function useLosslessJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  const limit = app.initialConfig.bodyLimit ?? DEFAULT_BODY_LIMIT;
  // The body's bytes are read here (body-reader.ts), with Fastify's limits and errors, not through `parseAs`.
  app.addContentTypeParser(['application/json', 'text/plain', 'application/x-amz-json-1.1'], (req, payload, done) => {
    readBody(req.raw, payload, limit, (error, bytes) => {
      if (error !== null) return done(error, undefined);
      req.rawBody = bytes!;
      let value: unknown;
      try {
        // One rule for every JSON body of every surface: UTF-8, bounded nesting, no prototype keys (catalog/json.ts).
        if (!isBlank(bytes!)) value = parseJsonInput(bytes!).value;
      } catch (e) {
        const reason = e instanceof JsonInputError ? e.message : e instanceof Error ? e.message.replace(/^.*?(position \d+|at \d+).*$/i, '$1') : '';
        return done(new CatalogError('ERR_BAD_REQUEST', `Malformed JSON request body${reason ? ` (${reason})` : ''}`), undefined);
      }
      done(null, value);
    });
  });
  app.setReplySerializer((payload) => stringifyJson(payload));
}

/** An empty or all-whitespace body: no JSON value, as before (a route that needs one says so). */
function isBlank(body: Buffer): boolean {
  // Indexed, not for-of: no iterator per request (a JSON body is decided at its first byte).
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return true;
}
