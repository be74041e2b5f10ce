/**
 * One error handler for every route: domain errors become the protocol's
 * error envelope; framework errors (bad content type, body too large,
 * invalid URL) become 4xx with a readable message; anything else is logged
 * and answered with a 500 that carries no internal detail. Requests to the
 * Lance REST Namespace API (under /lance/) get Lance's error model instead.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCatalogError } from '../../errors/catalog-error.js';
import { icebergError, icebergHttpError } from '../mappers/iceberg-errors.js';
import { isLanceRequest, lanceError, lanceHttpError } from '../mappers/lance-errors.js';

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
    if (isLanceRequest(req.url)) return sendLanceError(error, req, reply);
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
    // An operation of the Lance spec this server does not serve: clients read code 0 (Unsupported).
    if (isLanceRequest(req.url)) return reply.code(406).send(lanceHttpError(406, `Unsupported operation ${req.method} ${req.url.split('?')[0]}`, req.url));
    reply.code(404).send(icebergHttpError(404, 'NoSuchEndpointException', `No endpoint ${req.method} ${req.url.split('?')[0]}`));
  });
}

function sendLanceError(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isCatalogError(error)) {
    const { status, body } = lanceError(error.code, error.message, req.url);
    if (status >= 500) req.log.error({ err: error, code: error.code }, 'request failed');
    if (error.code === 'ERR_UNAVAILABLE' || error.code === 'ERR_STORAGE') reply.header('retry-after', '1');
    return reply.code(status).send(body);
  }
  const known = error.code ? frameworkErrors[error.code] : undefined;
  if (known) return reply.code(known.status).send(lanceHttpError(known.status, known.message, req.url));
  if (error.validation) return reply.code(400).send(lanceHttpError(400, `Invalid request: ${error.message}`, req.url));
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).send(lanceHttpError(error.statusCode, 'Request is malformed', req.url));
  }
  req.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send(lanceHttpError(500, 'Internal server error', req.url));
}
