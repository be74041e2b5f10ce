/**
 * One error handler for every route: domain errors become the protocol's
 * error envelope; framework errors (bad content type, body too large,
 * invalid URL) become 4xx with a readable message; anything else is logged
 * and answered with a 500 that carries no internal detail.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isCatalogError } from '../../errors/catalog-error.js';
import { icebergError, icebergHttpError } from '../mappers/iceberg-errors.js';

const frameworkErrors: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'Unsupported content type: send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'Request body is empty' },
  FST_ERR_BAD_URL: { status: 400, message: 'Request URL is malformed' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, message: 'Request is malformed' },
};

export function useErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (isCatalogError(error)) {
      const { status, body } = icebergError(error.code, error.message);
      if (status >= 500) req.log.error({ err: error, code: error.code }, 'request failed');
      if (error.code === 'ERR_UNAVAILABLE' || error.code === 'ERR_STORAGE') reply.header('retry-after', '1');
      return reply.code(status).send(body);
    }
    const known = error.code ? frameworkErrors[error.code] : undefined;
    if (known) return reply.code(known.status).send(icebergHttpError(known.status, 'BadRequestException', known.message));
    if (error.validation) return reply.code(400).send(icebergHttpError(400, 'BadRequestException', `Invalid request: ${error.message}`));
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(icebergHttpError(error.statusCode, 'BadRequestException', 'Request is malformed'));
    }
    req.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(icebergHttpError(500, 'InternalServerError', 'Internal server error'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(icebergHttpError(404, 'NoSuchEndpointException', `No endpoint ${req.method} ${req.url.split('?')[0]}`));
  });
}
