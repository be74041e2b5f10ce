/** Health, readiness, metrics and the OpenAPI document: unauthenticated operational endpoints. */
import type { FastifyPluginAsync } from 'fastify';
import { icebergEnvelope } from '../mappers/iceberg-errors.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { type OpsDeps, opsRoutes } from '../routes/ops.js';

export const opsSurface: FastifyPluginAsync<OpsDeps> = async (app, options) => {
  useErrorEnvelope(app, icebergEnvelope, { ownsPrefix: false });
  opsRoutes(app, options);
};
